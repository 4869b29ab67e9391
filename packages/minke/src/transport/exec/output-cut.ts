/** A command's output stream (re-exported by `transport.ts`, which this file may not import). */
export type OutputStream = 'stdout' | 'stderr';

/**
 * What was left out of one stream's output when it outgrew what a command result keeps: the
 * result holds the first and last part (cut at line ends), with a marker line between them.
 */
export interface OutputCut {
  /** The whole stream, in UTF-8 bytes and lines. */
  totalBytes: number;
  totalLines: number;
  /** What the kept head and tail leave out. */
  droppedBytes: number;
  droppedLines: number;
  /** Key of the full output in the output store; null when it could not be stored. */
  stored: string | null;
  /** Why the full output could not be stored (absent when it was). */
  storeError?: string;
}

/** How much of each stream a result keeps: the first `headBytes` and the last `tailBytes`. */
export interface OutputKeep {
  headBytes: number;
  tailBytes: number;
}

/** 128 KiB of head and of tail per stream: a record stays small, the start and end readable. */
export const DEFAULT_OUTPUT_KEEP: OutputKeep = { headBytes: 128 * 1024, tailBytes: 128 * 1024 };

/**
 * Receives the full text of one stream once it outgrows what the result keeps: everything from
 * its first byte, in order. `write` returning false asks the producer to wait for `onDrain`.
 */
export interface OutputSpill {
  write(text: string): boolean;
  /** Called once when writing may go on (also when the spill failed: nothing waits forever). */
  onDrain(listener: () => void): void;
  /** Everything written: resolves with the key the output can be read back by. */
  end(): Promise<string>;
}

/** Opens a spill for one stream of the command being run. */
export type OutputSpillFactory = (stream: OutputStream) => OutputSpill;

/**
 * The line that stands where output was left out, saying exactly how much and where the rest is.
 *
 * @example
 *   droppedMarker('stdout', { droppedLines: 299_000, droppedBytes: 1_888_896, stored: 'k', ... })
 *   // '[minke: 299,000 lines (1,888,896 bytes) of stdout left out here; the full stdout is stored with the session record]'
 */
export function droppedMarker(stream: OutputStream, cut: OutputCut): string {
  const what = `${count(cut.droppedLines)} line${cut.droppedLines === 1 ? '' : 's'} (${count(cut.droppedBytes)} bytes) of ${stream} left out here`;
  const where =
    cut.stored !== null
      ? `the full ${stream} is stored with the session record`
      : `the full ${stream} could not be stored: ${cut.storeError ?? 'no output store'}`;
  return `[minke: ${what}; ${where}]`;
}

function count(n: number): string {
  return n.toLocaleString('en');
}
