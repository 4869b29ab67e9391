import type { OpenedProject } from '../../runtime/open-project.js';
import { UsageError } from '../cli-error.js';
import type { RecordsSource } from '../remote/remote-records.js';

/** `minke records list` on the project: its repository, refs named by `refLabels`. */
export function localRecords(project: OpenedProject): RecordsSource {
  return {
    model(name) {
      const model = modelNamed(project, name);
      const refs = new Map<string, string>();
      for (const [field, definition] of Object.entries(model.fields)) {
        if (definition.kind === 'ref') refs.set(field, definition.model);
      }
      return Promise.resolve({ name: model.name, fields: Object.keys(model.fields), refs });
    },
    async list(model, query) {
      const { parseWhere } = await import('../../query/parse-where.js');
      return project.records.list(model.name, {
        filter: query.where === undefined ? undefined : parseWhere(query.where),
        search: query.search,
        order: query.order
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        limit: query.limit,
        offset: query.offset,
      });
    },
    async refLabels(model, items) {
      const { refLabels } = await import('../../operations/ref-labels.js');
      return refLabels(project, project.models.get(model.name), items);
    },
  };
}

/** A model the user named on the command line: an unknown one is a usage mistake. */
function modelNamed(project: OpenedProject, name: string) {
  try {
    return project.models.get(name);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
