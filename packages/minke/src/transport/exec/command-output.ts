import { StringDecoder } from 'node:string_decoder';
import { KeptText } from './kept-text.js';
import {
  DEFAULT_OUTPUT_KEEP,
  droppedMarker,
  type OutputCut,
  type OutputKeep,
  type OutputSpill,
  type OutputSpillFactory,
} from './output-cut.js';
import type { OutputScanner } from './output-scanner.js';
import type { ExecOptions, OutputStream } from '../transport.js';

/** What the transport can do to make the command wait while the output store catches up. */
export interface OutputFlow {
  pause(): void;
  resume(): void;
}

/** A command's output as its result keeps it: bounded text, and what was cut, per stream. */
export interface CollectedOutput {
  stdout: string;
  stderr: string;
  cut?: Partial<Record<OutputStream, OutputCut>>;
}

export interface CommandOutputOptions {
  onOutput?: ExecOptions['onOutput'];
  /** How much of each stream the result keeps (head and tail). */
  keep?: OutputKeep | undefined;
  /** Where the full stream goes once it outgrows `keep`; without one, the rest is only counted. */
  spill?: OutputSpillFactory | undefined;
}

const STREAMS = ['stdout', 'stderr'] as const;

/**
 * Collects one command's stdout and stderr: decodes UTF-8 per stream (a character split across
 * two chunks is decoded whole), removes Minke's markers, forwards each piece to `onOutput` as it
 * arrives, and keeps a bounded head and tail of each stream. Output of any size costs the same
 * memory: once a stream outgrows `keep`, all of it (from its first byte) goes to the spill, and
 * the transport is paused (`flow`) while the spill is behind.
 */
export class CommandOutput {
  private readonly kept: Record<OutputStream, KeptText>;
  private readonly decoders: Record<OutputStream, StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };
  private readonly spills: Partial<Record<OutputStream, OutputSpill>> = {};
  private readonly options: CommandOutputOptions;
  private flow: OutputFlow | undefined;
  private waiting = 0;

  constructor(
    private readonly scanners: Partial<Record<OutputStream, OutputScanner>>,
    options: CommandOutputOptions | ExecOptions['onOutput'] = {},
  ) {
    this.options = typeof options === 'function' ? { onOutput: options } : options;
    const keep = this.options.keep ?? DEFAULT_OUTPUT_KEEP;
    this.kept = {
      stdout: new KeptText(keep.headBytes, keep.tailBytes),
      stderr: new KeptText(keep.headBytes, keep.tailBytes),
    };
  }

  /** Lets the output pause the command's streams while the spill catches up. */
  controlFlow(flow: OutputFlow): void {
    this.flow = flow;
  }

  push(stream: OutputStream, data: Buffer | string): void {
    const decoded = typeof data === 'string' ? data : this.decoders[stream].write(data);
    this.emit(stream, this.scanners[stream]?.push(decoded) ?? decoded);
  }

  /** Flushes what decoders and scanners held back, closes the spills, returns the kept texts. */
  async finish(): Promise<CollectedOutput> {
    for (const stream of STREAMS) {
      const tail = this.decoders[stream].end();
      const scanner = this.scanners[stream];
      this.emit(stream, scanner ? scanner.push(tail) + scanner.end() : tail);
    }
    this.resumeAll(); // nothing more comes: nothing should stay paused
    const collected: CollectedOutput = { stdout: '', stderr: '' };
    for (const stream of STREAMS) {
      const { head, tail, cut: counts } = this.kept[stream].result();
      if (!counts) {
        collected[stream] = head;
        continue;
      }
      const cut: OutputCut = { ...counts, stored: null };
      const spill = this.spills[stream];
      if (!spill) cut.storeError = 'no output store for this command';
      else {
        try {
          cut.stored = await spill.end();
        } catch (error) {
          cut.storeError = error instanceof Error ? error.message : String(error);
        }
      }
      collected[stream] =
        `${head}${head === '' || head.endsWith('\n') ? '' : '\n'}${droppedMarker(stream, cut)}\n${tail}`;
      collected.cut = { ...collected.cut, [stream]: cut };
    }
    return collected;
  }

  private emit(stream: OutputStream, chunk: string): void {
    if (chunk === '') return;
    const kept = this.kept[stream];
    const whole = kept.push(chunk);
    if (whole !== undefined) this.startSpill(stream, whole);
    else if (kept.dropping) this.toSpill(stream, chunk);
    this.options.onOutput?.(stream, chunk);
  }

  private startSpill(stream: OutputStream, whole: string): void {
    if (!this.options.spill) return;
    try {
      this.spills[stream] = this.options.spill(stream);
    } catch {
      return; // counted as not stored when the command ends
    }
    this.toSpill(stream, whole);
  }

  private toSpill(stream: OutputStream, text: string): void {
    const spill = this.spills[stream];
    if (!spill || spill.write(text) || !this.flow) return;
    // The store is behind: hold the command until it has caught up.
    if (this.waiting++ === 0) this.flow.pause();
    spill.onDrain(() => {
      if (this.waiting > 0 && --this.waiting === 0) this.flow?.resume();
    });
  }

  private resumeAll(): void {
    if (this.waiting === 0) return;
    this.waiting = 0;
    this.flow?.resume();
  }
}
