import type { ProcessState, SessionResult } from '@minke/contract';
import type { ColumnType, Generated } from 'kysely';

/*
 * Minke's own tables as TypeScript sees them through `database.tables` (a `Kysely<MinkeTables>`
 * with the column plugin of `minke-columns-plugin.ts`). Written by hand from migrations 0001–0015;
 * `minke-tables.int.test.ts` compares `minkeColumnKinds` below with a migrated SQLite and
 * PostgreSQL database, and the `satisfies` at the end keeps the interface and that map equal.
 *
 * Values are in their JavaScript shape: the plugin turns booleans, dates and JSON into what the
 * backend stores and back, so no caller encodes or decodes.
 */

/** A timestamp: read as an ISO-8601 string; written as a Date or an ISO-8601 string. */
export type Timestamp = ColumnType<string, Date | string, Date | string>;
/** A timestamp the database fills in (`CURRENT_TIMESTAMP`) when an insert leaves it out. */
export type DefaultTimestamp = ColumnType<string, Date | string | undefined, Date | string>;
/** A timestamp that may be unset. */
export type NullableTimestamp = ColumnType<
  string | null,
  Date | string | null | undefined,
  Date | string | null
>;
/** A JSON value, stored as text. */
export type Json<T> = ColumnType<T, T, T>;
/** A JSON value with a default (`{}` or `[]`) when an insert leaves it out. */
export type DefaultJson<T> = ColumnType<T, T | undefined, T>;
/** An integer primary key the database assigns. */
export type Id = Generated<number>;

type JsonObject = Record<string, unknown>;

export interface HostsTable {
  id: Id;
  name: string;
  hostname: string | null;
  port: number | null;
  user: string | null;
  config: DefaultJson<JsonObject>;
  disabled: Generated<boolean>;
  comment: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface HostGroupsTable {
  id: Id;
  name: string;
  config: DefaultJson<JsonObject>;
  comment: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface HostGroupMembersTable {
  host_id: number;
  group_id: number;
  position: Generated<number>;
}

export interface UsersTable {
  id: Id;
  username: string;
  password_hash: string;
  is_superuser: Generated<boolean>;
  is_active: Generated<boolean>;
  created_at: DefaultTimestamp;
  last_login: NullableTimestamp;
}

export interface ModelSchemasTable {
  model: string;
  table_name: string;
  fields: Json<unknown>;
  updated_at: DefaultTimestamp;
}

export interface RunsTable {
  id: Id;
  session: string;
  model: string;
  user_id: number | null;
  data: DefaultJson<JsonObject>;
  state: Generated<string>;
  created_at: DefaultTimestamp;
  finished_at: NullableTimestamp;
  /** The in-process executor that runs it (migration 0009); null for BullMQ runs. */
  owner: string | null;
  /** The saved job it was launched from (migration 0014). */
  job_id: number | null;
  /** It had secret form values or a run-time connection layer, stored nowhere (migration 0022). */
  has_secret_values: Generated<boolean>;
  /** Its time limit per object in ms, given at its start (migration 0025). */
  timeout_ms: number | null;
  /** Its time limit as a whole in ms, from its creation (migration 0026). */
  run_timeout_ms: number | null;
}

export interface SessionRecordsTable {
  id: Id;
  run_id: number;
  session: string;
  verbose_name: string;
  model: string;
  object_id: number;
  object_label: string;
  host_id: number | null;
  host_name: string | null;
  user_id: number | null;
  process_state: Generated<ProcessState>;
  result: SessionResult | null;
  data: DefaultJson<JsonObject>;
  created_at: DefaultTimestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  duration_ms: number | null;
  stop_requests: Generated<number>;
}

export interface CommandsTable {
  id: Id;
  session_record_id: number;
  command: string;
  exit_code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  pty: boolean;
  killed: boolean;
  timed_out: boolean;
  status: string;
  started_at: Timestamp;
  finished_at: Timestamp;
  duration_ms: number;
  /** What stdout/stderr leave out and where the full text is (migration 0008). */
  output_cut: Json<unknown> | null;
}

export interface MessagesTable {
  id: Id;
  session_record_id: number;
  level: string;
  kind: string;
  text: string;
  data: Json<unknown> | null;
  created_at: DefaultTimestamp;
}

export interface HostLeasesTable {
  host_id: number;
  owner: string;
  run_id: number | null;
  expires_at: Timestamp;
}

export interface PermissionsTable {
  id: Id;
  codename: string;
  name: string;
}

export interface UserGroupsTable {
  id: Id;
  name: string;
}

export interface UserGroupMembersTable {
  user_id: number;
  group_id: number;
}

export interface UserGroupPermissionsTable {
  group_id: number;
  permission_id: number;
}

export interface UserPermissionsTable {
  user_id: number;
  permission_id: number;
}

export interface AgentsTable {
  id: Id;
  node: string;
  host_id: number | null;
  credential_hash: string | null;
  enrolled_at: NullableTimestamp;
  last_seen: NullableTimestamp;
  online: Generated<boolean>;
  agent_version: string | null;
  plugins: DefaultJson<unknown[]>;
  rejected: DefaultJson<unknown[]>;
  created_at: DefaultTimestamp;
  last_refusal: string | null;
  last_refusal_at: NullableTimestamp;
}

export interface AgentPresenceTable {
  id: Id;
  agent_id: number;
  online: boolean;
  changed_at: Timestamp;
}

export interface SigningKeysTable {
  id: Id;
  public_key: string;
  active: Generated<boolean>;
  created_at: DefaultTimestamp;
}

export interface AgentRequestsTable {
  id: string;
  plugin: string;
  target: Json<JsonObject>;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  state: Generated<string>;
  created_by: string | null;
  signed: string | null;
  published_at: NullableTimestamp;
}

export interface AgentRequestTargetsTable {
  id: Id;
  request_id: string;
  node: string;
  message_id: string;
  signed: string | null;
  state: Generated<string>;
  published_at: NullableTimestamp;
  answered_at: NullableTimestamp;
  result_id: string | null;
  error: string | null;
}

export interface FactsTable {
  id: Id;
  agent_id: number;
  plugin: string;
  format: string;
  value: Json<unknown>;
  collected_at: Timestamp;
  request_id: string | null;
  result_id: string;
  updated_at: DefaultTimestamp;
}

/** A fact's earlier values: the fact's row as it was, one per change. */
export type FactHistoryTable = Omit<FactsTable, 'updated_at'>;

export interface LoginSessionsTable {
  id: string;
  user_id: number;
  csrf_token: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  last_seen: DefaultTimestamp;
}

export interface ApiTokensTable {
  id: Id;
  user_id: number;
  name: string;
  token_hash: string;
  created_at: DefaultTimestamp;
  last_used: NullableTimestamp;
  revoked: Generated<boolean>;
}

export interface CommandOutputTable {
  id: Id;
  session_record_id: number;
  output_key: string;
  seq: number;
  data: Buffer;
}

export interface ExecutorOwnersTable {
  owner: string;
  machine: string;
  pid: number;
  expires_at: Timestamp;
}

export interface CredentialsTable {
  id: Id;
  name: string;
  type: string;
  fingerprint: string | null;
  key_id: string;
  ciphertext: string;
  created_at: DefaultTimestamp;
  created_by: string | null;
  updated_at: DefaultTimestamp;
  updated_by: string | null;
}

export interface HostKeysTable {
  id: Id;
  host: string;
  address: string;
  key_type: string;
  fingerprint: string;
  public_key: string;
  status: string;
  first_seen_at: DefaultTimestamp;
  last_seen_at: DefaultTimestamp;
  trusted_by: string | null;
  trusted_at: NullableTimestamp;
  replaced_at: NullableTimestamp;
}

/** `at` is ISO-8601 text, not a timestamp column: a row must hash the same on every backend. */
export interface AuditLogTable {
  /** Given by the writer (the chain's next number); bigint, read as a number on both backends. */
  id: number;
  at: string;
  actor_id: number | null;
  actor_name: string;
  via: string;
  ip: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  target_name: string | null;
  before_json: string | null;
  after_json: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  last_id: number;
  last_hash: string;
}

export interface SessionClearsTable {
  id: Id;
  user_id: number | null;
  model: string;
  object_id: number;
  cleared_upto: number;
  cleared_at: DefaultTimestamp;
}

export interface PoliciesTable {
  id: Id;
  name: string;
  description: Generated<string>;
  where_text: string;
  scope: string | null;
  /** `project` (from the project's files) or `api`. */
  origin: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface PolicyResultsTable {
  id: Id;
  policy_id: number;
  host_id: number;
  passing: boolean;
  since: Timestamp;
  checked_at: Timestamp;
}

export interface PolicyHistoryTable {
  id: Id;
  policy_id: number;
  host_id: number | null;
  host_name: string;
  /** `pass`, `fail`, or `gone` (left the policy's scope, or deleted). */
  state: string;
  changed_at: Timestamp;
}

export interface InventorySourcesTable {
  id: Id;
  name: string;
  last_sync_at: NullableTimestamp;
  last_ok: boolean | null;
  last_error: string | null;
  /** `{ added, changed, removed, unchanged }` of the last sync that wrote. */
  last_counts: Json<JsonObject | null>;
  /** The newest scheduled tick a server claimed: each tick syncs once across servers. */
  last_tick_at: NullableTimestamp;
}

export interface InventoryHostsTable {
  host_id: number;
  /** The inventory source that added (or took over) the host. */
  source: string;
  /** True while the host is disabled because the source no longer lists it. */
  disabled_by_source: Generated<boolean>;
}

export interface RolloutsTable {
  run_id: number;
  policy: Json<JsonObject>;
  total: number;
  batch_size: number;
  batch_count: number;
  allowed_failures: number | null;
  current_batch: number;
  state: string;
  reason: string | null;
  next_batch_at: NullableTimestamp;
  updated_at: DefaultTimestamp;
}

export interface RolloutRecordsTable {
  record_id: number;
  run_id: number;
  batch: number;
}

export interface NotificationDeliveriesTable {
  id: Id;
  channel: string;
  kind: string;
  event: string;
  run_id: number | null;
  subject: string;
  payload: Json<JsonObject>;
  state: string;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: DefaultTimestamp;
  next_attempt_at: NullableTimestamp;
  delivered_at: NullableTimestamp;
  claimed_by: string | null;
  claimed_until: NullableTimestamp;
  dedupe_key: string | null;
}

export interface NotificationOutcomesTable {
  subject_key: string;
  failed: boolean;
  run_id: number;
  updated_at: DefaultTimestamp;
}

/** A saved job and its schedule (migration 0014). */
export interface JobsTable {
  id: Id;
  name: string;
  description: Generated<string>;
  session: string;
  model: string;
  selection: Json<JsonObject>;
  data: Json<JsonObject>;
  secrets: Json<JsonObject>;
  batch: Json<JsonObject> | null;
  notify: Json<unknown[]>;
  owner_id: number | null;
  schedule_cron: string | null;
  schedule_timezone: string | null;
  schedule_end_at: NullableTimestamp;
  schedule_enabled: Generated<boolean>;
  schedule_missed: Generated<string>;
  schedule_overlap: Generated<string>;
  /** Since when the schedule stands as it is: ticks before it were never due. */
  schedule_since: NullableTimestamp;
  last_tick_at: NullableTimestamp;
  created_at: DefaultTimestamp;
  created_by: string | null;
  updated_at: DefaultTimestamp;
  updated_by: string | null;
  /** The time limit per object its launches run with, in ms (migration 0025). */
  timeout_ms: number | null;
  /** The time limit of each launch as a whole, in ms (migration 0026). */
  run_timeout_ms: number | null;
}

/** What a schedule's tick did (migration 0014). */
export interface JobTicksTable {
  id: Id;
  job_id: number;
  tick_at: Timestamp;
  outcome: string;
  run_id: number | null;
  note: string;
  created_at: DefaultTimestamp;
}

export interface MinkeTables {
  minke_hosts: HostsTable;
  minke_host_groups: HostGroupsTable;
  minke_host_group_members: HostGroupMembersTable;
  minke_users: UsersTable;
  minke_model_schemas: ModelSchemasTable;
  minke_runs: RunsTable;
  minke_session_records: SessionRecordsTable;
  minke_commands: CommandsTable;
  minke_messages: MessagesTable;
  minke_host_leases: HostLeasesTable;
  minke_permissions: PermissionsTable;
  minke_user_groups: UserGroupsTable;
  minke_user_group_members: UserGroupMembersTable;
  minke_user_group_permissions: UserGroupPermissionsTable;
  minke_user_permissions: UserPermissionsTable;
  minke_agents: AgentsTable;
  minke_agent_presence: AgentPresenceTable;
  minke_signing_keys: SigningKeysTable;
  minke_agent_requests: AgentRequestsTable;
  minke_agent_request_targets: AgentRequestTargetsTable;
  minke_facts: FactsTable;
  minke_fact_history: FactHistoryTable;
  minke_login_sessions: LoginSessionsTable;
  minke_api_tokens: ApiTokensTable;
  minke_command_output: CommandOutputTable;
  minke_executor_owners: ExecutorOwnersTable;
  minke_credentials: CredentialsTable;
  minke_host_keys: HostKeysTable;
  minke_audit_log: AuditLogTable;
  minke_audit_head: AuditHeadTable;
  minke_session_clears: SessionClearsTable;
  minke_jobs: JobsTable;
  minke_job_ticks: JobTicksTable;
  minke_policies: PoliciesTable;
  minke_policy_results: PolicyResultsTable;
  minke_policy_history: PolicyHistoryTable;
  minke_inventory_sources: InventorySourcesTable;
  minke_inventory_hosts: InventoryHostsTable;
  minke_rollouts: RolloutsTable;
  minke_rollout_records: RolloutRecordsTable;
  minke_notification_deliveries: NotificationDeliveriesTable;
  minke_notification_outcomes: NotificationOutcomesTable;
}

/**
 * How each column is stored, for the column plugin (which converts `bool`, `date` and `json`)
 * and for the schema test (which checks every kind against the database's column type).
 */
export type ColumnKind = 'int' | 'bigint' | 'text' | 'bool' | 'date' | 'json' | 'bytes';

type ColumnKinds = { [T in keyof MinkeTables]: { [C in keyof MinkeTables[T]]-?: ColumnKind } };

const I = 'int';
const T = 'text';
const B = 'bool';
const D = 'date';
const J = 'json';

/** A fact and each of its earlier values are stored alike. */
const factColumns = {
  id: I,
  agent_id: I,
  plugin: T,
  format: T,
  value: J,
  collected_at: D,
  request_id: T,
  result_id: T,
} as const;

export const minkeColumnKinds = {
  minke_hosts: {
    id: I,
    name: T,
    hostname: T,
    port: I,
    user: T,
    config: J,
    disabled: B,
    comment: T,
    created_at: D,
    updated_at: D,
  },
  minke_host_groups: { id: I, name: T, config: J, comment: T, created_at: D, updated_at: D },
  minke_host_group_members: { host_id: I, group_id: I, position: I },
  minke_users: {
    id: I,
    username: T,
    password_hash: T,
    is_superuser: B,
    is_active: B,
    created_at: D,
    last_login: D,
  },
  minke_model_schemas: { model: T, table_name: T, fields: J, updated_at: D },
  minke_runs: {
    id: I,
    session: T,
    model: T,
    user_id: I,
    data: J,
    state: T,
    created_at: D,
    finished_at: D,
    owner: T,
    job_id: I,
    has_secret_values: B,
    timeout_ms: I,
    run_timeout_ms: I,
  },
  minke_session_records: {
    id: I,
    run_id: I,
    session: T,
    verbose_name: T,
    model: T,
    object_id: I,
    object_label: T,
    host_id: I,
    host_name: T,
    user_id: I,
    process_state: T,
    result: T,
    data: J,
    created_at: D,
    started_at: D,
    finished_at: D,
    duration_ms: I,
    stop_requests: I,
  },
  minke_commands: {
    id: I,
    session_record_id: I,
    command: T,
    exit_code: I,
    signal: T,
    stdout: T,
    stderr: T,
    pty: B,
    killed: B,
    timed_out: B,
    status: T,
    started_at: D,
    finished_at: D,
    duration_ms: I,
    output_cut: J,
  },
  minke_messages: {
    id: I,
    session_record_id: I,
    level: T,
    kind: T,
    text: T,
    data: J,
    created_at: D,
  },
  minke_host_leases: { host_id: I, owner: T, run_id: I, expires_at: D },
  minke_permissions: { id: I, codename: T, name: T },
  minke_user_groups: { id: I, name: T },
  minke_user_group_members: { user_id: I, group_id: I },
  minke_user_group_permissions: { group_id: I, permission_id: I },
  minke_user_permissions: { user_id: I, permission_id: I },
  minke_agents: {
    id: I,
    node: T,
    host_id: I,
    credential_hash: T,
    enrolled_at: D,
    last_seen: D,
    online: B,
    agent_version: T,
    plugins: J,
    rejected: J,
    created_at: D,
    last_refusal: T,
    last_refusal_at: D,
  },
  minke_agent_presence: { id: I, agent_id: I, online: B, changed_at: D },
  minke_signing_keys: { id: I, public_key: T, active: B, created_at: D },
  minke_agent_requests: {
    id: T,
    plugin: T,
    target: J,
    created_at: D,
    expires_at: D,
    state: T,
    created_by: T,
    signed: T,
    published_at: D,
  },
  minke_agent_request_targets: {
    id: I,
    request_id: T,
    node: T,
    message_id: T,
    signed: T,
    state: T,
    published_at: D,
    answered_at: D,
    result_id: T,
    error: T,
  },
  minke_facts: { ...factColumns, updated_at: D },
  minke_fact_history: factColumns,
  minke_login_sessions: {
    id: T,
    user_id: I,
    csrf_token: T,
    created_at: D,
    expires_at: D,
    last_seen: D,
  },
  minke_api_tokens: {
    id: I,
    user_id: I,
    name: T,
    token_hash: T,
    created_at: D,
    last_used: D,
    revoked: B,
  },
  minke_command_output: { id: I, session_record_id: I, output_key: T, seq: I, data: 'bytes' },
  minke_executor_owners: { owner: T, machine: T, pid: I, expires_at: D },
  minke_credentials: {
    id: I,
    name: T,
    type: T,
    fingerprint: T,
    key_id: T,
    ciphertext: T,
    created_at: D,
    created_by: T,
    updated_at: D,
    updated_by: T,
  },
  minke_host_keys: {
    id: I,
    host: T,
    address: T,
    key_type: T,
    fingerprint: T,
    public_key: T,
    status: T,
    first_seen_at: D,
    last_seen_at: D,
    trusted_by: T,
    trusted_at: D,
    replaced_at: D,
  },
  minke_audit_log: {
    id: 'bigint',
    at: T,
    actor_id: I,
    actor_name: T,
    via: T,
    ip: T,
    action: T,
    target_type: T,
    target_id: T,
    target_name: T,
    before_json: T,
    after_json: T,
    prev_hash: T,
    hash: T,
  },
  minke_audit_head: { id: I, last_id: 'bigint', last_hash: T },
  minke_session_clears: {
    id: I,
    user_id: I,
    model: T,
    object_id: I,
    cleared_upto: I,
    cleared_at: D,
  },
  minke_policies: {
    id: I,
    name: T,
    description: T,
    where_text: T,
    scope: T,
    origin: T,
    created_at: D,
    updated_at: D,
  },
  minke_policy_results: { id: I, policy_id: I, host_id: I, passing: B, since: D, checked_at: D },
  minke_policy_history: { id: I, policy_id: I, host_id: I, host_name: T, state: T, changed_at: D },
  minke_inventory_sources: {
    id: I,
    name: T,
    last_sync_at: D,
    last_ok: B,
    last_error: T,
    last_counts: J,
    last_tick_at: D,
  },
  minke_inventory_hosts: { host_id: I, source: T, disabled_by_source: B },
  minke_rollouts: {
    run_id: I,
    policy: J,
    total: I,
    batch_size: I,
    batch_count: I,
    allowed_failures: I,
    current_batch: I,
    state: T,
    reason: T,
    next_batch_at: D,
    updated_at: D,
  },
  minke_rollout_records: { record_id: I, run_id: I, batch: I },
  minke_notification_deliveries: {
    id: I,
    channel: T,
    kind: T,
    event: T,
    run_id: I,
    subject: T,
    payload: J,
    state: T,
    attempts: I,
    last_error: T,
    created_at: D,
    next_attempt_at: D,
    delivered_at: D,
    claimed_by: T,
    claimed_until: D,
    dedupe_key: T,
  },
  minke_notification_outcomes: { subject_key: T, failed: B, run_id: I, updated_at: D },
  minke_jobs: {
    id: I,
    name: T,
    description: T,
    session: T,
    model: T,
    selection: J,
    data: J,
    secrets: J,
    batch: J,
    notify: J,
    owner_id: I,
    schedule_cron: T,
    schedule_timezone: T,
    schedule_end_at: D,
    schedule_enabled: B,
    schedule_missed: T,
    schedule_overlap: T,
    schedule_since: D,
    last_tick_at: D,
    created_at: D,
    created_by: T,
    updated_at: D,
    updated_by: T,
    timeout_ms: I,
    run_timeout_ms: I,
  },
  minke_job_ticks: {
    id: I,
    job_id: I,
    tick_at: D,
    outcome: T,
    run_id: I,
    note: T,
    created_at: D,
  },
} as const satisfies ColumnKinds;

export type MinkeTableName = keyof MinkeTables;
