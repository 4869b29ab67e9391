import type { FieldKind } from '@minke/contract';
import { hostChanges, hostInput, type HostInput } from '@minke/contract/api/hosts';
import type { z } from 'zod';
import { HOST_MODEL } from '../../model/host-model.js';
import type { OpenedProject } from '../../runtime/open-project.js';
import { UsageError } from '../cli-error.js';
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
      const refs = new Map<string, string>();
      const kinds = new Map<string, FieldKind>();
      for (const [field, definition] of Object.entries(model.fields)) {
        if (definition.kind === 'ref') refs.set(field, definition.model);
        kinds.set(field, definition.kind);
      }
      return Promise.resolve({ name: model.name, fields: Object.keys(model.fields), refs, kinds });
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
    async refLabels(model, items) {
      const { refLabels } = await import('../../operations/ref-labels.js');
      return refLabels(project, project.models.get(model.name), items);
    },
    async get(model, id) {
      const { getRecordView } = await import('../../operations/list-records.js');
      return getRecordView(project, model, id);
    },
    async getMany(model, ids) {
      const [{ listRecords }, { MAX_PAGE_SIZE }] = await Promise.all([
        import('../../operations/list-records.js'),
        import('../../query/paging.js'),
      ]);
      const views = [];
      for (let from = 0; from < ids.length; from += MAX_PAGE_SIZE) {
        const some = ids.slice(from, from + MAX_PAGE_SIZE);
        const page = await listRecords(project, model, {
          filter: { path: ['id'], op: 'in', values: some },
          limit: some.length,
        });
        views.push(...page.items);
      }
      return views;
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
      if (model === HOST_MODEL)
        return this.get(model, (await project.hosts.add(asHost(values))).id);
      const { createRecord } = await import('../../operations/record-changes.js');
      return this.get(model, (await createRecord(project, model, values)).id);
    },
    async update(model, id, values) {
      if (model === HOST_MODEL) {
        await project.hosts.update(await hostName(project, id), asHostChanges(values));
      } else {
        const { updateRecord } = await import('../../operations/record-changes.js');
        await updateRecord(project, model, id, values);
      }
      return this.get(model, id);
    },
    async remove(model, id) {
      if (model === HOST_MODEL) return project.hosts.remove(await hostName(project, id));
      const { deleteRecord } = await import('../../operations/record-changes.js');
      await deleteRecord(project, model, id);
    },
  };
}

async function listQueryOf(filter: RecordsFilter): Promise<ListQuery> {
  const { parseWhere } = await import('../../query/parse-where.js');
  return {
    filter: filter.where === undefined ? undefined : parseWhere(filter.where),
    search: filter.search,
    order: filter.order
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

async function hostName(project: OpenedProject, id: number): Promise<string> {
  return String((await project.records.get(HOST_MODEL, id))['name']);
}

function asHost(values: Record<string, unknown>): HostInput {
  return checked(hostInput.safeParse(values));
}

function asHostChanges(values: Record<string, unknown>): Partial<HostInput> {
  return checked(hostChanges.safeParse(values));
}

function checked<T>(parsed: { success: true; data: T } | { success: false; error: z.ZodError }): T {
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new UsageError(`${issue?.path.join('.') || 'host'}: ${issue?.message ?? 'invalid'}`);
}

/** A model the user named on the command line: an unknown one is a usage mistake. */
function modelNamed(project: OpenedProject, name: string) {
  try {
    return project.models.get(name);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
