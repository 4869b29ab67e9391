import { PLAIN, parseAnsiLine, type AnsiStyle, type Segment } from './ansi.js';

export type LineKind = 'stdout' | 'stderr' | 'command' | 'status' | 'message';

/** One shown line: parsed once when it completes, its plain text kept for search. */
export interface OutputLine {
  kind: LineKind;
  segments: Segment[];
  plain: string;
}

export interface OutputBufferOptions {
  /** Lines kept; older ones are dropped in blocks (the view says how many). */
  maxLines?: number;
  /** Characters kept of one line; the rest of a longer line is cut, and the line says so. */
  maxLineChars?: number;
}

type Stream = 'stdout' | 'stderr';

/**
 * The output of one session record: chunks arrive in arbitrary pieces (a line, half an escape
 * sequence, 10,000 lines); complete lines are parsed once and kept, the unfinished last line of
 * each stream stays raw until its newline comes. `version` changes on every change, for views.
 */
export class OutputBuffer {
  readonly maxLines: number;
  readonly maxLineChars: number;
  private readonly kept: OutputLine[] = [];
  /** Characters cut from the unfinished line of each stream (it is too long to keep whole). */
  private readonly partialCut: Record<Stream, number> = { stdout: 0, stderr: 0 };
  /** Lines dropped from the start to stay under maxLines. */
  dropped = 0;
  version = 0;
  private readonly partial: Record<Stream, string> = { stdout: '', stderr: '' };
  private readonly carry: Record<Stream, AnsiStyle> = { stdout: PLAIN, stderr: PLAIN };

  constructor(options: OutputBufferOptions = {}) {
    this.maxLines = options.maxLines ?? 100_000;
    this.maxLineChars = options.maxLineChars ?? 10_000;
  }

  /** Complete lines plus the unfinished ones, in order. */
  get length(): number {
    return this.kept.length + (this.partial.stdout ? 1 : 0) + (this.partial.stderr ? 1 : 0);
  }

  /** The line at `index` (0 is the oldest kept line). */
  line(index: number): OutputLine | undefined {
    if (index < this.kept.length) return this.kept[index];
    const pending = this.pendingLines();
    return pending[index - this.kept.length];
  }

  append(chunk: string, stream: Stream = 'stdout'): void {
    if (!chunk) return;
    const text = this.partial[stream] + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.pushRaw(text.slice(start, nl), stream);
      start = nl + 1;
    }
    this.partial[stream] = text.slice(start);
    // A line that never ends (a progress bar, binary data) must not grow without bound.
    const over = this.partial[stream].length - this.maxLineChars;
    if (over > 0) {
      this.partial[stream] = this.partial[stream].slice(0, this.maxLineChars);
      this.partialCut[stream] += over;
    }
    this.trim();
    this.version++;
  }

  /** A line of Minke's own (`$ command`, an exit status, a message), styled by its kind. */
  note(kind: Exclude<LineKind, 'stdout' | 'stderr'>, text: string): void {
    this.flush();
    for (const part of text.split('\n')) {
      this.kept.push({ kind, segments: part ? [{ text: part, style: PLAIN }] : [], plain: part });
    }
    this.trim();
    this.version++;
  }

  /**
   * Says a command never ran: its `$ command` line, when nothing came after it, becomes
   * `note` (a status line). False when the line is not the last one (output came: it ran).
   */
  markNotRun(commandLine: string, note: string): boolean {
    if (this.partial.stdout || this.partial.stderr) return false;
    const at = this.kept.length - 1;
    const last = this.kept[at];
    if (!last || last.kind !== 'command' || last.plain !== commandLine) return false;
    this.kept[at] = { kind: 'status', segments: [{ text: note, style: PLAIN }], plain: note };
    this.version++;
    return true;
  }

  /** Ends unfinished lines (the command ended without a final newline). */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) {
        this.pushRaw(this.partial[stream], stream);
        this.partial[stream] = '';
      }
      this.carry[stream] = PLAIN;
    }
    this.version++;
  }

  clear(): void {
    this.kept.length = 0;
    this.dropped = 0;
    this.partialCut.stdout = 0;
    this.partialCut.stderr = 0;
    this.partial.stdout = '';
    this.partial.stderr = '';
    this.carry.stdout = PLAIN;
    this.carry.stderr = PLAIN;
    this.version++;
  }

  /** Indexes of the lines whose text contains `query` (any case). */
  search(query: string): number[] {
    const needle = query.toLowerCase();
    if (!needle) return [];
    const hits: number[] = [];
    const total = this.length;
    for (let i = 0; i < total; i++) {
      if (this.line(i)?.plain.toLowerCase().includes(needle)) hits.push(i);
    }
    return hits;
  }

  private pushRaw(raw: string, stream: Stream): void {
    const whole = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const cut = this.partialCut[stream] + Math.max(0, whole.length - this.maxLineChars);
    this.partialCut[stream] = 0;
    const text = cut > 0 ? whole.slice(0, this.maxLineChars) : whole;
    const parsed = parseAnsiLine(text, this.carry[stream]);
    this.carry[stream] = parsed.endStyle;
    const segments = cut > 0 ? [...parsed.segments, cutNote(cut)] : parsed.segments;
    this.kept.push({ kind: stream, segments, plain: segments.map((s) => s.text).join('') });
  }

  private pendingLines(): OutputLine[] {
    const lines: OutputLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const raw = this.partial[stream];
      if (!raw) continue;
      const parsed = parseAnsiLine(raw, this.carry[stream]);
      lines.push({
        kind: stream,
        segments: parsed.segments,
        plain: parsed.segments.map((s) => s.text).join(''),
      });
    }
    return lines;
  }

  private trim(): void {
    const over = this.kept.length - this.maxLines;
    if (over <= 0) return;
    // drop a block at once (a tenth more than needed) so splicing stays rare
    const count = Math.min(this.kept.length, over + Math.ceil(this.maxLines / 10));
    this.kept.splice(0, count);
    this.dropped += count;
  }
}

/** The end of a line too long to show whole: how much of it was cut. */
function cutNote(chars: number): Segment {
  return {
    text: ` [… ${chars.toLocaleString('en')} more characters of this line cut]`,
    style: PLAIN,
  };
}
