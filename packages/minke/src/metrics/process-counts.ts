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

let sink: CountSink | undefined;
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
}
