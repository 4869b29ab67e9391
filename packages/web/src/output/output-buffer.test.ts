import { describe, expect, it } from 'vitest';
import { OutputBuffer } from './output-buffer.js';

const texts = (buffer: OutputBuffer) =>
  Array.from({ length: buffer.length }, (_, i) => buffer.line(i)?.plain);

describe('OutputBuffer', () => {
  it('joins chunks cut anywhere, escape sequences included', () => {
    const buffer = new OutputBuffer();
    buffer.append('one\ntw');
    buffer.append('o\n\u001b[3');
    buffer.append('2mgreen\u001b[0m\n');
    expect(texts(buffer)).toEqual(['one', 'two', 'green']);
    expect(buffer.line(2)?.segments[0]?.style).toEqual({ fg: 2 });
  });

  it('shows the unfinished last line and completes it later', () => {
    const buffer = new OutputBuffer();
    buffer.append('progress 10%');
    expect(texts(buffer)).toEqual(['progress 10%']);
    buffer.append('\rprogress 100%\r\n');
    expect(texts(buffer)).toEqual(['progress 100%']);
  });

  it('keeps stdout and stderr lines apart while both are unfinished', () => {
    const buffer = new OutputBuffer();
    buffer.append('out ', 'stdout');
    buffer.append('err\n', 'stderr');
    buffer.append('done\n', 'stdout');
    expect(texts(buffer)).toEqual(['err', 'out done']);
    expect(buffer.line(0)?.kind).toBe('stderr');
  });

  it('adds notes after flushing unfinished lines', () => {
    const buffer = new OutputBuffer();
    buffer.note('command', '$ uptime');
    buffer.append('up 3 days');
    buffer.note('status', 'exit 0');
    expect(texts(buffer)).toEqual(['$ uptime', 'up 3 days', 'exit 0']);
  });

  it('drops the oldest lines in blocks beyond maxLines and counts them', () => {
    const buffer = new OutputBuffer({ maxLines: 100 });
    buffer.append(Array.from({ length: 250 }, (_, i) => `line ${i}`).join('\n') + '\n');
    expect(buffer.length).toBeLessThanOrEqual(100);
    expect(buffer.dropped + buffer.length).toBe(250);
    expect(buffer.line(buffer.length - 1)?.plain).toBe('line 249');
  });

  it('finds lines by text, any case, and bumps its version on change', () => {
    const buffer = new OutputBuffer();
    const before = buffer.version;
    buffer.append('Alpha\nbeta\nALPHABET\n');
    expect(buffer.version).toBeGreaterThan(before);
    expect(buffer.search('alpha')).toEqual([0, 2]);
    expect(buffer.search('')).toEqual([]);
  });

  it('takes 40,000 coloured lines', () => {
    const buffer = new OutputBuffer();
    for (let i = 0; i < 400; i++) {
      buffer.append(
        Array.from({ length: 100 }, (_, j) => `\u001b[32mline ${i * 100 + j}\u001b[0m`).join('\n') +
          '\n',
      );
    }
    expect(buffer.length).toBe(40_000);
    expect(buffer.line(39_999)?.plain).toBe('line 39999');
  });
});

describe('a command that never ran', () => {
  it('is not left as `$ command` when nothing came after it', () => {
    const buffer = new OutputBuffer();
    buffer.note('command', '$ uptime');
    expect(buffer.markNotRun('$ uptime', '✗ not run: uptime')).toBe(true);
    expect(buffer.line(0)).toMatchObject({ kind: 'status', plain: '✗ not run: uptime' });
  });

  it('keeps `$ command` once output came', () => {
    const buffer = new OutputBuffer();
    buffer.note('command', '$ uptime');
    buffer.append('up 3 days\n');
    expect(buffer.markNotRun('$ uptime', '✗ not run: uptime')).toBe(false);
    expect(buffer.line(0)).toMatchObject({ kind: 'command', plain: '$ uptime' });
  });
});
