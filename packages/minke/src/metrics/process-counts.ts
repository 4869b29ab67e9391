/**
 * Counting what this process does, without loading prom-client (and its ~85 files) into every
 * command that runs a session: a CLI `minke run` counts commands but never shows metrics. Counts
 * are kept here as plain tallies until `process-metrics.ts` is loaded (by a server or a worker that
 * exposes /metrics), which takes them over and receives every later count.
 */
export interface CountSink {
  countCommand(status: string): void;
  countConnectFailure(reason: string): void;
}

type Kind = keyof CountSink;

/** Counts of one kind and label: what a session thread hands its server (`drainCounts`). */
export type CountTally = readonly [kind: Kind, label: string, n: number];

let sink: CountSink | undefined;
let addToSink: ((kind: Kind, label: string, n: number) => void) | undefined;
/** Counts made before a sink existed, by kind and label. Labels are short codes: few keys. */
const tallies = new Map<Kind, Map<string, number>>();

function count(kind: Kind, label: string): void {
  if (sink) return sink[kind](label);
  const byLabel = tallies.get(kind) ?? new Map<string, number>();
  byLabel.set(label, (byLabel.get(label) ?? 0) + 1);
  tallies.set(kind, byLabel);
}

/** Counts a command whose result the executor recorded. */
export function countCommand(status: string): void {
  count('countCommand', status);
}

/** Counts a failed connection; `reason` is a short code (auth, timeout, refused, host-key...). */
export function countConnectFailure(reason: string): void {
  count('countConnectFailure', reason);
}

/** Sends every count to `target` from now on, after the ones made so far (`add` adds n at once). */
export function takeOverCounts(
  target: CountSink,
  add: (kind: Kind, label: string, n: number) => void,
): void {
  for (const [kind, byLabel] of tallies) for (const [label, n] of byLabel) add(kind, label, n);
  tallies.clear();
  sink = target;
  addToSink = add;
}

/**
 * The counts kept so far, handed over and forgotten here: a session thread has no sink of its
 * own (its server serves /metrics) and sends them along with its events (`addCounts` there).
 */
export function drainCounts(): CountTally[] {
  const drained: CountTally[] = [];
  for (const [kind, byLabel] of tallies)
    for (const [label, n] of byLabel) drained.push([kind, label, n]);
  tallies.clear();
  return drained;
}

/** Adds counts made elsewhere (a session thread's `drainCounts`). */
export function addCounts(counts: readonly CountTally[]): void {
  for (const [kind, label, n] of counts) {
    if (addToSink) {
      addToSink(kind, label, n);
      continue;
    }
    const byLabel = tallies.get(kind) ?? new Map<string, number>();
    byLabel.set(label, (byLabel.get(label) ?? 0) + n);
    tallies.set(kind, byLabel);
  }
}
