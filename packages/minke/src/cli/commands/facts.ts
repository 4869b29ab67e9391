import type { Command } from 'commander';
import type { FactRecord } from '../../facts/fact-store.js';
import { stdoutOut, type Out } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';
import { registerFactTrendCommands } from './fact-trends.js';
import { parseCount } from './hosts.js';

/**
 * `minke facts HOST [--plugin P] [--json]`, `minke facts history HOST PLUGIN`, and facts over
 * time: `minke facts series|changes|distribution PLUGIN [PATH]`.
 */
export function registerFactCommands(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  const facts = program
    .command('facts')
    .description("what the agents reported: a host's current facts, and their history");

  facts
    .command('show <host>', { isDefault: true })
    .description(
      'the current facts of a host (or node), per plugin (the default: `minke facts HOST`)',
    )
    .option('--plugin <name>', 'one plugin only')
    .option('--json', 'print JSON')
    .action(async (host: string, options: { plugin?: string; json?: boolean }) => {
      const out = stdoutOut();
      const { AgentStore } = await import('../../facts/agent-store.js');
      const { FactStore } = await import('../../facts/fact-store.js');
      await withProject(globals(), {}, async (project) => {
        const agents = new AgentStore(project);
        const agent = await agents.forHostOrNode(host);
        const records = await new FactStore(project.database, agents).current(
          agent.id,
          options.plugin,
        );
        if (options.json) return out.json(records);
        if (records.length === 0) {
          out.line(
            `no facts from ${agent.node}${options.plugin ? ` for ${options.plugin}` : ''} yet`,
          );
          return;
        }
        for (const record of records) printFact(out, record);
      });
    });

  facts
    .command('history <host> <plugin>')
    .description('the values a plugin reported on a host, newest first (a row per change)')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (host: string, plugin: string, options: { limit: string; json?: boolean }) => {
      const out = stdoutOut();
      const limit = parseCount(options.limit, '--limit');
      const { AgentStore } = await import('../../facts/agent-store.js');
      const { FactStore } = await import('../../facts/fact-store.js');
      await withProject(globals(), {}, async (project) => {
        const agents = new AgentStore(project);
        const agent = await agents.forHostOrNode(host);
        const records = await new FactStore(project.database, agents).history(
          agent.id,
          plugin,
          limit,
        );
        if (options.json) return out.json(records);
        out.table(
          ['COLLECTED', 'REQUEST', 'VALUE'],
          records.map((record) => [
            record.collectedAt,
            record.requestId ?? '(interval)',
            oneLine(record.value),
          ]),
        );
      });
    });

  registerFactTrendCommands(facts, globals);
}

function printFact(out: Out, record: FactRecord): void {
  const from = record.requestId === null ? 'on its own schedule' : `request ${record.requestId}`;
  out.line(`${record.plugin} (${record.format}, collected ${record.collectedAt}, ${from})`);
  const value = record.value;
  const lines =
    typeof value === 'string'
      ? value.split('\n')
      : Array.isArray(value) && value.every((item) => typeof item === 'string')
        ? value
        : JSON.stringify(value, null, 2).split('\n');
  for (const line of lines) out.line(`  ${line}`);
}

function oneLine(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
