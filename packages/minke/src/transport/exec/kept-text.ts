/**
 * The part of one output stream a result keeps: its first `headBytes` and its last `tailBytes`
 * (UTF-8), however long the stream runs. Memory stays at most about head + tail + one chunk.
 * Counts every byte and line that went through, so the cut can say exactly what it left out.
 */
export class KeptText {
  private head = '';
  private headBytes = 0;
  private readonly tail: string[] = [];
  private tailBytes = 0;
  private totalBytes = 0;
  private newlines = 0;
  private lastChar = '';
  /** True once something had to be dropped (the tail was trimmed). */
  dropping = false;

  constructor(
    private readonly maxHead: number,
    private readonly maxTail: number,
  ) {}

  /**
   * Adds a chunk. Returns everything so far (this chunk included) when this chunk is the one
   * that makes the text start dropping, so a spill can begin with the whole stream.
   */
  push(chunk: string): string | undefined {
    if (chunk === '') return undefined;
    this.totalBytes += Buffer.byteLength(chunk);
    this.newlines += countNewlines(chunk);
    this.lastChar = chunk.slice(-1);
    let rest = chunk;
    if (this.tail.length === 0 && this.headBytes < this.maxHead) {
      const taken = prefixWithin(rest, this.maxHead - this.headBytes);
      this.head += taken;
      this.headBytes += Buffer.byteLength(taken);
      rest = rest.slice(taken.length);
    }
    if (rest !== '') {
      this.tail.push(rest);
      this.tailBytes += Buffer.byteLength(rest);
    }
    let whole: string | undefined;
    if (!this.dropping && this.totalBytes > this.maxHead + this.maxTail) {
      this.dropping = true;
      whole = this.whole();
    }
    // Whole chunks go while the rest still fills the tail; the exact cut happens in `result`.
    for (
      let first = this.tail[0];
      first !== undefined && this.tail.length > 1;
      first = this.tail[0]
    ) {
      const firstBytes = Buffer.byteLength(first);
      if (this.tailBytes - firstBytes < this.maxTail) break;
      this.tail.shift();
      this.tailBytes -= firstBytes;
    }
    return whole;
  }

  /** Everything so far, while nothing was dropped (what a spill starts with). */
  whole(): string {
    return this.head + this.tail.join('');
  }

  /** The kept text and, when something was left out, the numbers of the cut. */
  result(): {
    head: string;
    tail: string;
    cut?: { totalBytes: number; totalLines: number; droppedBytes: number; droppedLines: number };
  } {
    const tailText = this.tail.join('');
    if (!this.dropping) return { head: this.head + tailText, tail: '' };
    // Cut at line ends where there are any, so no line is shown half.
    const lastNewline = this.head.lastIndexOf('\n');
    const head = lastNewline === -1 ? this.head : this.head.slice(0, lastNewline + 1);
    let tail = suffixWithin(tailText, this.maxTail);
    const firstNewline = tail.indexOf('\n');
    if (firstNewline !== -1 && firstNewline < tail.length - 1) tail = tail.slice(firstNewline + 1);
    const totalLines = this.newlines + (this.lastChar !== '\n' && this.totalBytes > 0 ? 1 : 0);
    const keptLines = countNewlines(head) + countNewlines(tail) + (tail.endsWith('\n') ? 0 : 1);
    return {
      head,
      tail,
      cut: {
        totalBytes: this.totalBytes,
        totalLines,
        droppedBytes: this.totalBytes - Buffer.byteLength(head) - Buffer.byteLength(tail),
        droppedLines: Math.max(0, totalLines - keptLines),
      },
    };
  }
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The longest start of `text` that is at most `bytes` UTF-8 bytes, never half a character. */
export function prefixWithin(text: string, bytes: number): string {
  if (Buffer.byteLength(text) <= bytes) return text;
  let low = 0;
  let high = Math.min(text.length, bytes);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(text.slice(0, mid)) <= bytes) low = mid;
    else high = mid - 1;
  }
  return isHighSurrogate(text.charCodeAt(low - 1)) ? text.slice(0, low - 1) : text.slice(0, low);
}

/** The longest end of `text` that is at most `bytes` UTF-8 bytes, never half a character. */
export function suffixWithin(text: string, bytes: number): string {
  if (Buffer.byteLength(text) <= bytes) return text;
  let low = 0;
  let high = Math.min(text.length, bytes);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(text.slice(text.length - mid)) <= bytes) low = mid;
    else high = mid - 1;
  }
  const start = text.length - low;
  return isLowSurrogate(text.charCodeAt(start)) ? text.slice(start + 1) : text.slice(start);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
