import { StringDecoder } from 'node:string_decoder';
import type { OutputScanner } from './output-scanner.js';
import type { ExecOptions, OutputStream } from './transport.js';

/**
 * Collects one command's stdout and stderr: decodes UTF-8 per stream (a character split across
 * two chunks is decoded whole), removes Minke's markers, keeps the text and forwards each piece
 * to `onOutput` as it arrives.
 */
export class CommandOutput {
  private readonly text: Record<OutputStream, string> = { stdout: '', stderr: '' };
  private readonly decoders: Record<OutputStream, StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };

  constructor(
    private readonly scanners: Partial<Record<OutputStream, OutputScanner>>,
    private readonly onOutput?: ExecOptions['onOutput'],
  ) {}

  push(stream: OutputStream, data: Buffer | string): void {
    const decoded = typeof data === 'string' ? data : this.decoders[stream].write(data);
    this.emit(stream, this.scanners[stream]?.push(decoded) ?? decoded);
  }

  /** Flushes what decoders and scanners held back and returns the complete texts. */
  finish(): Record<OutputStream, string> {
    for (const stream of ['stdout', 'stderr'] as const) {
      const tail = this.decoders[stream].end();
      const scanner = this.scanners[stream];
      this.emit(stream, scanner ? scanner.push(tail) + scanner.end() : tail);
    }
    return { ...this.text };
  }

  private emit(stream: OutputStream, chunk: string): void {
    if (chunk === '') return;
    this.text[stream] += chunk;
    this.onOutput?.(stream, chunk);
  }
}
