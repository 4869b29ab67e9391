import type {
  FieldKind,
  ModelMeta,
  RecordChangesPage,
  RecordImportReply,
  RecordView,
} from '@minke/contract';
import type { RecordValues } from '../../model/record-codec.js';
import type { RefLabels } from '../../operations/ref-labels.js';
import { RemoteError, withQuery, type ApiClient } from './api-client.js';

/** A page of records as `minke records list` prints it: fields only, refs as ids. */
export interface RecordsPage {
  items: RecordValues[];
  total: number;
  limit: number;
  offset: number;
}

/** The fields `minke records list` shows as columns, and where each ref points. */
export interface ListedModel {
  name: string;
  /** Field names in the model's order (Host's groups, not a field, left out). */
  fields: string[];
  /** Ref field → the model it points at. */
  refs: Map<string, string>;
  /** Field → its kind, which types a `field=value` the user writes. */
  kinds: Map<string, FieldKind>;
}

/** Which records: a filter, a search and an order, as the user wrote them. */
export interface RecordsFilter {
  where?: string | undefined;
  search?: string | undefined;
  order?: string | undefined;
}

export interface RecordsQuery extends RecordsFilter {
  limit: number;
  offset: number;
}

/** An export: how many records match, then the CSV text as it comes. */
export interface RecordsCsvText {
  total: number;
  text: AsyncIterable<string | Uint8Array>;
}

/**
 * Records as `minke records list` reads them: the project's, or with `--server` a server's
 * through its API as the token's user (the model's view permission).
 */
export interface RecordsSource {
  model(name: string): Promise<ListedModel>;
  list(model: ListedModel, query: RecordsQuery): Promise<RecordsPage>;
  /** Labels of what the page's refs point at; a ref the user may not view keeps its id. */
  refLabels(model: ListedModel, items: readonly RecordValues[]): Promise<RefLabels>;
  /** One record with its label (the model's view permission). */
  get(model: string, id: number): Promise<RecordView>;
  /** Records by id with their labels, in any order; an id that does not exist is left out. */
  getMany(model: string, ids: readonly number[]): Promise<RecordView[]>;
  /** Ids of records of `model` whose `name` is `name`: two at the most (enough to see one). */
  idsByName(model: string, name: string): Promise<number[]>;
  /** Writes made as the caller (add, change, delete), each in the audit log. */
  create(model: string, values: Record<string, unknown>): Promise<RecordView>;
  update(model: string, id: number, values: Record<string, unknown>): Promise<RecordView>;
  remove(model: string, id: number): Promise<void>;
  /** The record's changes from the audit log, newest first (the model's view permission). */
  changes(
    model: string,
    id: number,
    window: { limit: number; offset: number },
  ): Promise<RecordChangesPage>;
  /** Records added and changed from CSV, every row checked first (`POST …/import`). */
  importCsv(model: string, csv: string, dryRun: boolean): Promise<RecordImportReply>;
  /** Every record the filter matches, as CSV (`GET /api/records/:model/export.csv`). */
  exportCsv(model: ListedModel, filter: RecordsFilter): Promise<RecordsCsvText>;
}

/**
 * Ids named in one label request. A list may be longer than that (`--limit` is the user's); 500
 * ids keep the request's line far below Node's 16 KiB limit on a request's head.
 */
const IDS_PER_REQUEST = 500;

/**
 * How long an import may take before the server answers: it writes every row first (10,000
 * changes take some 5 s), so the usual 30 s would cut a large file short.
 */
const IMPORT_TIMEOUT_MS = 30 * 60_000;

/** `GET /api/models/NAME` and `GET /api/records/NAME`; the refs' labels by `id in (…)`. */
export function remoteRecords(client: ApiClient): RecordsSource {
  const listPath = (model: string) => `/api/records/${encodeURIComponent(model)}`;
  return {
    async model(name) {
      const meta = await client.get<ModelMeta>(`/api/models/${encodeURIComponent(name)}`);
      const fields = meta.fields.filter((field) => field.kind !== 'groups');
      const refs = new Map<string, string>();
      const kinds = new Map<string, FieldKind>();
      for (const field of fields) {
        if (field.kind === 'ref' && field.model) refs.set(field.name, field.model);
        if (field.kind !== 'groups') kinds.set(field.name, field.kind);
      }
      return { name: meta.name, fields: fields.map((field) => field.name), refs, kinds };
    },
    async list(model, query) {
      const page = await client.get<{
        items: RecordView[];
        total: number;
        limit: number;
        offset: number;
      }>(listPath(model.name), { ...query });
      return { ...page, items: page.items.map(fieldsOnly) };
    },
    async refLabels(model, items) {
      const labels: RefLabels = new Map();
      for (const [field, target] of model.refs) {
        const ids = [
          ...new Set(items.map((item) => item[field]).filter((v) => typeof v === 'number')),
        ];
        const views = await this.getMany(target, ids).catch((error: unknown) => {
          // Not allowed to view the target: the ids are what the user may see.
          if (error instanceof RemoteError && error.status === 403) return [];
          throw error;
        });
        labels.set(field, new Map(views.map((view) => [view.id, view._label])));
      }
      return labels;
    },
    get: (model, id) => client.get<RecordView>(recordPath(model, id)),
    async getMany(model, ids) {
      const views: RecordView[] = [];
      for (let from = 0; from < ids.length; from += IDS_PER_REQUEST) {
        const some = ids.slice(from, from + IDS_PER_REQUEST);
        const page = await client.get<{ items: RecordView[] }>(listPath(model), {
          where: `id in (${some.join(', ')})`,
          limit: some.length,
        });
        views.push(...page.items);
      }
      return views;
    },
    async idsByName(model, name) {
      const quoted = `"${name.replace(/["\\]/g, '\\$&')}"`;
      const page = await client.get<{ items: RecordView[] }>(listPath(model), {
        where: `name = ${quoted}`,
        limit: 2,
      });
      return page.items.map((item) => item.id);
    },
    create: (model, values) => client.post<RecordView>(listPath(model), values),
    changes: (model, id, window) =>
      client.get<RecordChangesPage>(`${recordPath(model, id)}/changes`, { ...window }),
    update: (model, id, values) => client.patch<RecordView>(recordPath(model, id), values),
    remove: async (model, id) => {
      await client.delete(recordPath(model, id));
    },
    importCsv: (model, csv, dryRun) =>
      client.post<RecordImportReply>(
        `${listPath(model)}/import`,
        { csv, dryRun },
        IMPORT_TIMEOUT_MS,
      ),
    async exportCsv(model, filter) {
      const { Readable } = await import('node:stream');
      const response = await client.open(
        withQuery(`${listPath(model.name)}/export.csv`, { ...filter }),
        new AbortController().signal,
        'text/csv',
      );
      const body = response.body ? Readable.fromWeb(response.body as never) : Readable.from([]);
      return {
        total: Number(response.headers.get('x-total-count')),
        text: cutShortAsRemoteError(body, client.url),
      };
    },
  };
}

function recordPath(model: string, id: number): string {
  return `/api/records/${encodeURIComponent(model)}/${id}`;
}

/** The record's own fields, as the project's list gives them (the view's extras dropped). */
function fieldsOnly(view: RecordView): RecordValues {
  const { _label: _l, _lastSession: _s, groups: _g, ...fields } = view;
  return fields;
}

/** A download the server ended early (it stopped, or the connection broke) says so. */
async function* cutShortAsRemoteError(
  body: AsyncIterable<string | Uint8Array>,
  url: string,
): AsyncGenerator<string | Uint8Array> {
  try {
    yield* body;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RemoteError(
      `the server at ${url} stopped sending before the download was complete (${reason})`,
      0,
      'unreachable',
    );
  }
}
