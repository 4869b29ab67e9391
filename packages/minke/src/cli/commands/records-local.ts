import { localOperator } from '../../auth/run-user.js';
import { HOST_MODEL } from '../../model/host-model.js';
import type { OpenedProject } from '../../runtime/open-project.js';
import { UsageError } from '../cli-error.js';
import { typedFieldsOf } from '../../records/typed-values.js';
import type { ListQuery } from '../../records/record-repository.js';
import type { RecordsFilter, RecordsSource } from '../remote/remote-records.js';

/**
 * `minke records …` on the project: its repository, refs named by `refLabels`; writes go through
 * the same record operations as the API's routes (audited, as the CLI's operator).
 */
export function localRecords(project: OpenedProject): RecordsSource {
  return {
    model(name) {
      const model = modelNamed(project, name);
      return Promise.resolve({ ...typedFieldsOf(model), fields: Object.keys(model.fields) });
    },
    async list(model, query) {
      return project.records.list(model.name, {
        ...(await listQueryOf(query)),
        limit: query.limit,
        offset: query.offset,
      });
    },
    async exportCsv(model, filter) {
      const { exportRecordsCsv } = await import('../../operations/export-records.js');
      // The project's operator may view every model: refs are named throughout.
      return exportRecordsCsv(project, model.name, await listQueryOf(filter), {
        mayView: () => true,
      });
    },
    async importCsv(model, csv, dryRun) {
      const { importRecordsCsv } = await import('../../operations/import-records.js');
      // The project's operator holds every permission and may view every model.
      return importRecordsCsv(project, modelNamed(project, model).name, csv, {
        dryRun,
        actor: localOperator,
        mayView: () => true,
      });
    },
    async refLabels(model, items) {
      const { refLabels } = await import('../../operations/ref-labels.js');
      return refLabels(project, project.models.get(model.name), items);
    },
    async get(model, id) {
      const { getRecordView } = await import('../../operations/list-records.js');
      return getRecordView(project, model, id);
    },
    async getMany(model, ids) {
      const { recordViewsById } = await import('../../operations/list-records.js');
      return recordViewsById(project, model, ids);
    },
    async changes(model, id, window) {
      const { recordHistory } = await import('../../audit/record-history.js');
      return recordHistory(project.database, modelNamed(project, model).name, id, window);
    },
    async idsByName(model, name) {
      if (!('name' in project.models.get(model).fields)) return [];
      const { parseWhere } = await import('../../query/parse-where.js');
      const filter = parseWhere(`name = "${name.replace(/["\\]/g, '\\$&')}"`);
      const page = await project.records.list(model, { filter, limit: 2, offset: 0 });
      return page.items.map((item) => item.id);
    },
    // Hosts go through the host operations, as the API's record routes send them (name rules,
    // connection config checks, groups); other models through the audited record changes.
    async create(model, values) {
      const { addRecord } = await import('../../operations/record-writes.js');
      return this.get(model, await addRecord(project, model, values, undefined, 'values'));
    },
    async update(model, id, values) {
      const { changeRecord } = await import('../../operations/record-writes.js');
      await changeRecord(project, model, id, values, undefined, 'values');
      return this.get(model, id);
    },
    async remove(model, id) {
      if (model === HOST_MODEL)
        return project.hosts.remove(String((await project.records.get(HOST_MODEL, id))['name']));
      const { deleteRecord } = await import('../../operations/record-changes.js');
      await deleteRecord(project, model, id);
    },
  };
}

async function listQueryOf(filter: RecordsFilter): Promise<ListQuery> {
  const { parseWhere } = await import('../../query/parse-where.js');
  return {
    // A blank --where is no filter, as the API takes it.
    filter:
      filter.where === undefined || filter.where.trim() === ''
        ? undefined
        : parseWhere(filter.where),
    search: filter.search,
    order: filter.order
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
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
