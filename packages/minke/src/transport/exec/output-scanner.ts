/** A marker the remote side writes into the output for Minke, never for the user. */
export interface OutputMarker {
  /** The exact text that starts the marker. */
  text: string;
  /** The marker carries a value up to the end of its line (e.g. a pid); without it the marker is
   * the text alone (e.g. a password prompt). */
  withValue?: boolean;
  onMatch(value: string): void;
}

/** A marker value longer than this is not ours: the text is passed through as output. */
const maxValueLength = 32;

/**
 * Removes markers from a stream of text while passing everything else through unchanged, also
 * when a marker arrives split over several chunks: the tail that could still become a marker is
 * held back until the next chunk decides. The held-back text is bounded by the longest marker.
 *
 * @example
 *   const scanner = new OutputScanner([{ text: 'pgid:', withValue: true, onMatch: setPgid }]);
 *   scanner.push('pgi');          // => ''
 *   scanner.push('d:42\nhello');  // => 'hello'  (setPgid('42') was called)
 */
export class OutputScanner {
  private pending = '';

  constructor(private readonly markers: readonly OutputMarker[]) {}

  push(chunk: string): string {
    this.pending += chunk;
    let out = '';
    for (;;) {
      const found = this.earliestMarker();
      if (!found) break;
      const { index, marker } = found;
      const valueStart = index + marker.text.length;
      if (!marker.withValue) {
        out += this.pending.slice(0, index);
        this.pending = this.pending.slice(valueStart);
        marker.onMatch('');
        continue;
      }
      const end = this.pending.indexOf('\n', valueStart);
      if (end === -1 && this.pending.length - valueStart <= maxValueLength) {
        // The value's line is not complete yet: keep it for the next chunk.
        out += this.pending.slice(0, index);
        this.pending = this.pending.slice(index);
        return out;
      }
      if (end === -1 || end - valueStart > maxValueLength) {
        // Not a marker after all; let its first character through and look further.
        out += this.pending.slice(0, index + 1);
        this.pending = this.pending.slice(index + 1);
        continue;
      }
      out += this.pending.slice(0, index);
      marker.onMatch(this.pending.slice(valueStart, end).replace(/\r$/, ''));
      this.pending = this.pending.slice(end + 1);
    }
    const keep = this.partialMarkerLength();
    out += this.pending.slice(0, this.pending.length - keep);
    this.pending = this.pending.slice(this.pending.length - keep);
    return out;
  }

  /** The stream ended: whatever was held back was output after all. */
  end(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }

  private earliestMarker(): { index: number; marker: OutputMarker } | undefined {
    let best: { index: number; marker: OutputMarker } | undefined;
    for (const marker of this.markers) {
      const index = this.pending.indexOf(marker.text);
      if (index !== -1 && (best === undefined || index < best.index)) best = { index, marker };
    }
    return best;
  }

  /** Length of the longest tail of `pending` that is the start of some marker. */
  private partialMarkerLength(): number {
    let longest = 0;
    for (const { text } of this.markers) {
      for (
        let length = Math.min(text.length - 1, this.pending.length);
        length > longest;
        length--
      ) {
        if (this.pending.endsWith(text.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
