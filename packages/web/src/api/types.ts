/**
 * The shapes the REST API sends (docs/api.md). The web package does not import the server's
 * TypeScript, so these mirror the contract; `RunEvent` mirrors `src/events/run-events.ts`.
 */

export type FieldKind = 'text' | 'int' | 'float' | 'bool' | 'datetime' | 'enum' | 'json' | 'ref';

export interface FieldMeta {
  name: string;
  kind: FieldKind | 'groups';
  optional: boolean;
  unique: boolean;
  default?: unknown;
  label?: string | null;
  help?: string | null;
  /** enum values */
  values?: string[];
  /** the target of a ref */
  model?: string;
}

export interface ModelPermissions {
  view: boolean;
  add: boolean;
  change: boolean;
  delete: boolean;
}

export interface ModelMeta {
  name: string;
  label: string;
  table?: string;
  fields: FieldMeta[];
  display: string[];
  searchFields: string[];
  ordering: string[];
  hostLookup: string;
  permissions: ModelPermissions;
  /** Session names the caller may run on this model. */
  sessions: string[];
}

/** A JSON Schema as `z.toJSONSchema` writes it; only the parts the form renderer reads. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  title?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  format?: string;
  /** From a session form field's `.meta({ secret: true })`. */
  secret?: boolean;
  widget?: string;
  'x-widget'?: string;
}

export interface SessionMeta {
  name: string;
  verboseName: string;
  group: string | null;
  description: string | null;
  models: string[];
  confirm: boolean;
  parallelPerHost: boolean;
  form: JsonSchema | null;
}

export type ProcessState =
  'initialized' | 'running' | 'completed' | 'stopping' | 'stopped' | 'canceled' | 'failed';
export type SessionResult = 'success' | 'warning' | 'error';
export type MessageLevel = 'info' | 'warning' | 'error';
export type MessageKind = 'text' | 'preformatted' | 'table' | 'command';

export interface RunSummary {
  all: number;
  waiting: number;
  running: number;
  done: number;
  success: number;
  warning: number;
  error: number;
}

export interface LastSession {
  id: number;
  session: string;
  processState: ProcessState;
  result: SessionResult | null;
  finishedAt: string | null;
}

export interface RecordItem {
  id: number;
  _label?: string;
  _lastSession?: LastSession | null;
  [field: string]: unknown;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit?: number;
  offset?: number;
}

export interface StartedRun {
  id: number;
  session: string;
  model: string;
  records: {
    recordId: number;
    objectId: number;
    objectLabel: string;
    hostName: string | null;
    /** Why it was canceled at once (a disabled host, say). */
    canceled?: string | boolean;
  }[];
}

export interface RunItem {
  id: number;
  session: string;
  model: string;
  userId: number | null;
  state: string;
  createdAt: string;
  finishedAt: string | null;
  summary: RunSummary;
}

export interface RunSessionItem {
  id: number;
  objectId: number;
  objectLabel: string;
  hostName: string | null;
  processState: ProcessState;
  result: SessionResult | null;
  procInfo?: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface RunDetail extends RunItem {
  sessions: RunSessionItem[];
}

export interface SessionRecordItem {
  id: number;
  runId: number;
  /** Who started the run (null for runs the local CLI started, or a deleted user). */
  username: string | null;
  session: string;
  verboseName: string;
  model: string;
  objectId: number;
  objectLabel: string;
  hostName: string | null;
  userId: number | null;
  processState: ProcessState;
  result: SessionResult | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  procInfo: string;
}

export interface HistoryMessage {
  id: number;
  level: MessageLevel;
  kind: MessageKind;
  text: string;
  data: unknown;
  createdAt: string;
}

export interface HistoryCommand {
  id: number;
  command: string;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  pty: boolean;
  killed: boolean;
  timedOut: boolean;
  status: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** True when stdout or stderr above is only the head and tail of the output. */
  truncated?: boolean;
  outputCut?: Partial<Record<'stdout' | 'stderr', OutputCut>> | null;
}

/** What the record's copy of one stream leaves out, and where the full text is. */
export interface OutputCut {
  totalBytes: number;
  totalLines: number;
  droppedBytes: number;
  droppedLines: number;
  stored: boolean;
  storeError?: string;
  /** API path that downloads the full text; null when it was not stored. */
  download: string | null;
}

export interface SessionRecordDetail extends SessionRecordItem {
  data: unknown;
  messages: HistoryMessage[];
  commands: HistoryCommand[];
  /** True when some command's output is only its head and tail. */
  outputTruncated?: boolean;
}

interface EventBase {
  runId: number;
  at: string;
}

/** One event of a run, as the SSE stream carries it (`seq` is the event id). */
export type RunEvent =
  | (EventBase & { type: 'run.started'; session: string; model: string; total: number })
  | (EventBase & {
      type: 'session.state';
      recordId: number;
      objectId: number;
      objectLabel: string;
      hostName: string | null;
      processState: ProcessState;
      result: SessionResult | null;
    })
  | (EventBase & { type: 'command.started'; recordId: number; command: string })
  | (EventBase & {
      type: 'output';
      recordId: number;
      stream: 'stdout' | 'stderr';
      chunk: string;
      /** Characters the server dropped from this coalesced chunk (its per-flush cap). */
      truncated?: number;
    })
  | (EventBase & {
      type: 'command.finished';
      recordId: number;
      command: string;
      exitCode: number | null;
      status: SessionResult;
      durationMs: number;
    })
  | (EventBase & {
      type: 'message.added';
      recordId: number;
      level: MessageLevel;
      kind: MessageKind;
      text: string;
    })
  | (EventBase & {
      type: 'session.finished';
      recordId: number;
      objectId: number;
      objectLabel: string;
      hostName: string | null;
      processState: ProcessState;
      result: SessionResult | null;
      durationMs: number | null;
    })
  | (EventBase & { type: 'run.finished'; summary: RunSummary });

export type RunEventType = RunEvent['type'];

export const RUN_EVENT_TYPES: readonly RunEventType[] = [
  'run.started',
  'session.state',
  'command.started',
  'output',
  'command.finished',
  'message.added',
  'session.finished',
  'run.finished',
];

export interface Me {
  id: number;
  username: string;
  isSuperuser: boolean;
  permissions: string[];
}

export interface UserItem {
  id: number;
  username: string;
  isSuperuser: boolean;
  isActive?: boolean;
  groups?: (string | number)[];
  permissions?: string[];
  [key: string]: unknown;
}

export interface TokenItem {
  id: number;
  userId: number;
  username: string;
  name: string;
  createdAt: string;
  lastUsed: string | null;
  revoked: boolean;
}

export interface ApiErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}
