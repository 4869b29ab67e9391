import type { Command } from 'commander';
import type { ModelDefinition } from '../../model/define-model.js';
import type { RecordValues } from '../../model/record-codec.js';
import type { RefLabels } from '../../operations/ref-labels.js';
import { UsageError } from '../cli-error.js';
import { displayValue, stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';
import { parseCount } from './hosts.js';

interface ListOptions {
  where?: string;
  search?: string;
  order?: string;
  limit: string;
  offset: string;
  json?: boolean;
}

export function registerRecordCommands(program: Command): void {
  const records = program
    .command('records')
    .description("records of the project's models (and of Host)");
  records
    .command('list <model>')
    .description('list records: filter through refs, search, order, page')
    .option('--where <expr>', 'filter, e.g. "server.host.name = web-1 and version ^= 10."')
    .option('--search <text>', "look for text in the model's search fields")
    .option('--order <fields>', 'comma-separated fields, -field for descending')
    .option('--limit <n>', 'how many', '50')
    .option('--offset <n>', 'skip this many', '0')
    .option('--json', 'print JSON')
    .action(async (modelName: string, options: ListOptions) => {
      const out = stdoutOut();
      const { parseWhere } = await import('../../query/parse-where.js');
      const filter = options.where === undefined ? undefined : parseWhere(options.where);
      await withProject(program.opts<GlobalOptions>(), {}, async (project) => {
        const model = modelNamed(project.models, modelName);
        const page = await project.records.list(model.name, {
          filter,
          search: options.search,
          order: options.order
            ?.split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          limit: parseCount(options.limit, '--limit'),
          offset: parseCount(options.offset, '--offset'),
        });
        if (options.json) return out.json(page);
        const { refLabels } = await import('../../operations/ref-labels.js');
        // A ref shows what it points at (the host's name), not a bare id.
        const labels = await refLabels(project, model, page.items);
        const columns = ['id', ...Object.keys(model.fields)];
        out.table(
          columns.map((c) => c.toUpperCase()),
          page.items.map((record) => columns.map((c) => cell(record, c, labels))),
        );
        out.line(
          `${page.items.length === 0 ? 'no records' : `${page.offset + 1}-${page.offset + page.items.length} of ${page.total}`}`,
        );
      });
    });
}

/** A model the user named on the command line: an unknown one is a usage mistake. */
function modelNamed(models: { get(name: string): ModelDefinition }, name: string): ModelDefinition {
  try {
    return models.get(name);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function cell(record: RecordValues, column: string, labels: RefLabels): string {
  const value = record[column];
  const label = typeof value === 'number' ? labels.get(column)?.get(value) : undefined;
  const text = label ?? displayValue(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
