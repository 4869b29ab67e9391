import { describe, expect, it } from 'vitest';
import { applySgr, colorToCss, parseAnsiLine, stripAnsi, styleToCss } from './ansi.js';

const E = '\u001b';

describe('parseAnsiLine', () => {
  it('keeps plain text as one unstyled segment', () => {
    expect(parseAnsiLine('hello world').segments).toEqual([{ text: 'hello world', style: {} }]);
  });

  it('splits at SGR colours and resets', () => {
    const { segments, endStyle } = parseAnsiLine(`a${E}[31mred${E}[0m b`);
    expect(segments).toEqual([
      { text: 'a', style: {} },
      { text: 'red', style: { fg: 1 } },
      { text: ' b', style: {} },
    ]);
    expect(endStyle).toEqual({});
  });

  it('combines attributes and bright, 256 and true colours', () => {
    const line = `${E}[1;92mok${E}[38;5;208m!${E}[48;2;16;32;255mx${E}[22;39;49my`;
    const { segments } = parseAnsiLine(line);
    expect(segments.map((s) => s.style)).toEqual([
      { bold: true, fg: 10 },
      { bold: true, fg: 208 },
      { bold: true, fg: 208, bg: '#1020ff' },
      {},
    ]);
  });

  it('carries the style over to the next line', () => {
    const first = parseAnsiLine(`${E}[33mwarn`);
    const second = parseAnsiLine('still yellow', first.endStyle);
    expect(second.segments[0]?.style).toEqual({ fg: 3 });
  });

  it('drops cursor moves, erase, OSC titles and control characters', () => {
    const line = `${E}[2K${E}[1Gstart${E}]0;title\u0007 mid${E}[?25l\u0000end${E}(B`;
    expect(stripAnsi(line)).toBe('start midend');
  });

  it('lets a carriage return overwrite the line, as a progress bar does', () => {
    expect(stripAnsi('10%\r50%\r100% done')).toBe('100% done');
  });

  it('tolerates a cut-off escape at the end', () => {
    expect(stripAnsi(`text${E}[3`)).toBe('text');
    expect(stripAnsi(`text${E}`)).toBe('text');
  });

  it('ignores malformed extended colours without losing the rest', () => {
    const { segments } = parseAnsiLine(`${E}[38;5;999;1mx`);
    expect(segments[0]?.style).toEqual({ bold: true });
  });
});

describe('applySgr', () => {
  it('returns the same object when nothing changes', () => {
    const style = { fg: 2 };
    expect(applySgr(style, [32])).toBe(style);
  });
  it('turns attributes off one by one', () => {
    expect(applySgr({ italic: true, underline: true, inverse: true }, [23, 24])).toEqual({
      inverse: true,
    });
  });
});

describe('styleToCss', () => {
  it('maps colours, bold brightening and inverse', () => {
    expect(styleToCss({ fg: 1, bold: true })).toEqual({
      color: colorToCss(9),
      fontWeight: 'bold',
    });
    expect(styleToCss({ inverse: true }, { fg: '#fff', bg: '#000' })).toEqual({
      color: '#000',
      backgroundColor: '#fff',
    });
    expect(colorToCss(16)).toBe('rgb(0,0,0)');
    expect(colorToCss(231)).toBe('rgb(255,255,255)');
    expect(colorToCss(255)).toBe('rgb(238,238,238)');
  });
});
