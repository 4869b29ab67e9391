import { describe, expect, it } from 'vitest';
import { OutputScanner } from './output-scanner.js';

function scanner() {
  const seen: string[] = [];
  const instance = new OutputScanner([
    { text: 'pgid-x:', withValue: true, onMatch: (value) => seen.push(`pgid=${value}`) },
    { text: '[prompt-x]', onMatch: () => seen.push('prompt') },
  ]);
  return { instance, seen };
}

function feed(instance: OutputScanner, chunks: string[]): string {
  return chunks.map((chunk) => instance.push(chunk)).join('') + instance.end();
}

describe('OutputScanner', () => {
  it('removes a marker line and reports its value', () => {
    const { instance, seen } = scanner();
    expect(feed(instance, ['pgid-x:4242\nhello\n'])).toBe('hello\n');
    expect(seen).toEqual(['pgid=4242']);
  });

  it('finds markers split over chunks, down to single characters', () => {
    const { instance, seen } = scanner();
    const text = 'before pgid-x:77\r\nmiddle [prompt-x] after';
    expect(feed(instance, [...text])).toBe('before middle  after');
    expect(seen).toEqual(['pgid=77', 'prompt']);
  });

  it('passes text through that only looks like the start of a marker', () => {
    const { instance, seen } = scanner();
    expect(feed(instance, ['pgid', '-y: no\n[prompt'])).toBe('pgid-y: no\n[prompt');
    expect(seen).toEqual([]);
  });

  it('does not take an overlong line for a marker value', () => {
    const { instance, seen } = scanner();
    const long = `pgid-x:${'9'.repeat(40)}\n`;
    expect(feed(instance, [long])).toBe(long);
    expect(seen).toEqual([]);
  });

  it('holds back an incomplete marker until the stream ends', () => {
    const { instance } = scanner();
    expect(instance.push('data pgid-x:12')).toBe('data ');
    expect(instance.end()).toBe('pgid-x:12');
  });

  it('reports every prompt', () => {
    const { instance, seen } = scanner();
    expect(feed(instance, ['[prompt-x]Sorry, try again.\n[prompt-x]'])).toBe('Sorry, try again.\n');
    expect(seen).toEqual(['prompt', 'prompt']);
  });
});
