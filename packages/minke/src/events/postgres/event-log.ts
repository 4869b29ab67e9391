import type { DeliveredEvent, RunEvent } from '../run-events.js';

/** The part of a `pg` client or pool the event log uses (STYLE habit 2). */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[] }>;
}

/**
 * NOTIFY refuses payloads of 8000 bytes or more. A batch whose events fit under this goes inline;
 * a bigger one (a large output chunk) is announced by its range of numbers and read from the log.
 */
export const INLINE_PAYLOAD_BYTES = 7900;

/** What a notification carries: the events themselves, or the range to read from the log. */
export type Announcement = { events: DeliveredEvent[] } | { from: number; to: number };

/** Names of one bus's tables and channel; every name is checked, then quoted. */
export interface EventLogNames {
  /** `"schema"."prefix_event_log"`: one row per event. */
  log: string;
  /** `"schema"."prefix_event_seq"`: one row, the last number given. */
  counter: string;
  /** The LISTEN/NOTIFY channel (an identifier of at most 63 bytes). */
  channel: string;
  /** Serializes table creation by several processes starting at once. */
  lockKey: string;
}

const identifier = /^[a-z_][a-z0-9_]*$/;

export function eventLogNames(schema: string, prefix: string): EventLogNames {
  const base = prefix.replace(/-/g, '_');
  for (const [what, name] of [
    ['schema', schema],
    ['prefix', base],
  ] as const) {
    if (!identifier.test(name))
      throw new Error(`PostgreSQL event bus: invalid ${what} "${name}" (a-z, 0-9, _)`);
  }
  const channel = `${schema}.${base}_events`;
  if (Buffer.byteLength(channel) > 63)
    throw new Error(`PostgreSQL event bus: channel "${channel}" is longer than 63 bytes`);
  return {
    log: `"${schema}"."${base}_event_log"`,
    counter: `"${schema}"."${base}_event_seq"`,
    channel,
    lockKey: `minke-events:${channel}`,
  };
}

/** Creates the schema and tables if missing; one process at a time (an advisory lock). */
export async function ensureEventLog(
  client: Queryable,
  names: EventLogNames,
  schema: string,
): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [names.lockKey]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${names.log} (
         seq bigint PRIMARY KEY,
         run_id bigint NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now(),
         event text NOT NULL
       )`,
    );
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${names.counter} (
         id int PRIMARY KEY CHECK (id = 1),
         seq bigint NOT NULL
       )`,
    );
    await client.query(`INSERT INTO ${names.counter} VALUES (1, 0) ON CONFLICT (id) DO NOTHING`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Numbers a batch, stores it and announces it, in one statement (one transaction). The counter
 * row stays locked until commit, so numbers are given in commit order, and PostgreSQL delivers
 * notifications in commit order: every listener sees the numbers grow without gaps. The `seq` is
 * spliced in as the event's first key, as the Redis bus does.
 */
function appendStatement(names: EventLogNames): string {
  return `
WITH next AS (
  UPDATE ${names.counter} SET seq = seq + $3 WHERE id = 1 RETURNING seq - $3 AS base
), numbered AS (
  SELECT next.base + e.ord AS seq, e.run_id, e.body
  FROM next, unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS e(run_id, body, ord)
), stored AS (
  INSERT INTO ${names.log} (seq, run_id, event)
  SELECT seq, run_id, '{"seq":' || seq || ',' || substr(body, 2) FROM numbered
  RETURNING seq, event
)
SELECT max(seq) AS last, pg_notify($4,
  CASE WHEN sum(octet_length(event)) + count(*) + 16 < ${INLINE_PAYLOAD_BYTES}
    THEN '{"events":[' || string_agg(event, ',' ORDER BY seq) || ']}'
    ELSE '{"from":' || min(seq) || ',"to":' || max(seq) || '}'
  END) FROM stored`;
}

/** Appends events (in the order given); returns the last number given. */
export async function appendEvents(
  client: Queryable,
  names: EventLogNames,
  events: readonly RunEvent[],
): Promise<number> {
  const { rows } = await client.query<{ last: number | string }>(appendStatement(names), [
    events.map((event) => event.runId),
    events.map((event) => JSON.stringify(event)),
    events.length,
    names.channel,
  ]);
  return Number(rows[0]?.last ?? 0);
}

/** Up to `count` logged events after `after`, oldest first; `runId` narrows them to one run. */
export async function readEvents(
  client: Queryable,
  names: EventLogNames,
  after: number,
  count: number,
  runId?: number,
): Promise<DeliveredEvent[]> {
  if (count <= 0) return [];
  const byRun = runId === undefined ? '' : 'AND run_id = $3';
  const { rows } = await client.query<{ event: string }>(
    `SELECT event FROM ${names.log} WHERE seq > $1 ${byRun} ORDER BY seq LIMIT $2`,
    runId === undefined ? [after, count] : [after, count, runId],
  );
  return rows.map((row) => parseDelivered(row.event)).filter(isDefined);
}

/** The last number given, and the newest `count` logged events, from one snapshot. */
export async function readNewest(
  client: Queryable,
  names: EventLogNames,
  count: number,
): Promise<{ last: number; events: DeliveredEvent[] }> {
  const { rows } = await client.query<{ last: number | string; event: string | null }>(
    `SELECT c.seq AS last, l.event FROM ${names.counter} c
     LEFT JOIN LATERAL (SELECT seq, event FROM ${names.log} ORDER BY seq DESC LIMIT $1) l ON true
     WHERE c.id = 1 ORDER BY l.seq`,
    [count],
  );
  return {
    last: Number(rows[0]?.last ?? 0),
    events: rows.map((row) => parseDelivered(row.event)).filter(isDefined),
  };
}

/** Drops logged events older than the newest `keep`. */
export async function trimEvents(
  client: Queryable,
  names: EventLogNames,
  last: number,
  keep: number,
): Promise<void> {
  await client.query(`DELETE FROM ${names.log} WHERE seq <= $1`, [last - keep]);
}

export function parseAnnouncement(payload: string | undefined): Announcement | undefined {
  try {
    const value = JSON.parse(payload ?? '') as { events?: unknown; from?: unknown; to?: unknown };
    if (Array.isArray(value.events)) {
      const events = value.events.map((event) => asDelivered(event));
      return events.every(isDefined) ? { events } : undefined;
    }
    if (typeof value.from === 'number' && typeof value.to === 'number')
      return { from: value.from, to: value.to };
    return undefined;
  } catch {
    return undefined;
  }
}

function parseDelivered(text: string | null): DeliveredEvent | undefined {
  if (text === null) return undefined;
  try {
    return asDelivered(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function asDelivered(value: unknown): DeliveredEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { seq, type } = value as { seq?: unknown; type?: unknown };
  return typeof seq === 'number' && typeof type === 'string'
    ? (value as DeliveredEvent)
    : undefined;
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
