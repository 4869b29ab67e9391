/**
 * A small ANSI parser for command output: SGR (`ESC[…m`) colours and attributes become styled
 * segments; every other escape or control sequence (cursor moves, erase, OSC titles) is dropped,
 * so what remains is safe plain text for React to render.
 */

/** A colour: a palette index (0–255) or a `#rrggbb` string from 24-bit SGR. */
export type AnsiColor = number | string;

export interface AnsiStyle {
  fg?: AnsiColor;
  bg?: AnsiColor;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
  strike?: boolean;
}

export interface Segment {
  text: string;
  style: AnsiStyle;
}

export interface ParsedLine {
  segments: Segment[];
  /** The style in effect at the end of the line: SGR state carries over to the next line. */
  endStyle: AnsiStyle;
}

export const PLAIN: AnsiStyle = Object.freeze({});

const ESC = '\u001b';

/**
 * Parses one line (without its newline). A carriage return starts the line over, as a terminal
 * would show it (progress bars). `start` is the style carried from the previous line.
 */
export function parseAnsiLine(line: string, start: AnsiStyle = PLAIN): ParsedLine {
  let segments: Segment[] = [];
  let style = start;
  let text = '';
  const flush = () => {
    if (text) segments.push({ text, style });
    text = '';
  };
  let i = 0;
  while (i < line.length) {
    const ch = line.charCodeAt(i);
    if (ch === 0x1b) {
      const end = escapeEnd(line, i);
      const sgr = sgrParams(line, i, end);
      if (sgr !== undefined) {
        const next = applySgr(style, sgr);
        if (next !== style) {
          flush();
          style = next;
        }
      }
      i = end;
      continue;
    }
    if (ch === 0x0d) {
      // \r: what follows overwrites the line
      text = '';
      segments = [];
      i++;
      continue;
    }
    if (ch === 0x09) {
      text += '\t';
      i++;
      continue;
    }
    if (ch < 0x20 || ch === 0x7f || (ch >= 0x80 && ch < 0xa0)) {
      i++; // other control characters are not shown
      continue;
    }
    text += line[i];
    i++;
  }
  flush();
  return { segments, endStyle: style };
}

/** The index just after the escape sequence that starts at `at`. */
function escapeEnd(line: string, at: number): number {
  const kind = line[at + 1];
  if (kind === '[') {
    // CSI: parameter and intermediate bytes, then one final byte 0x40–0x7e
    let i = at + 2;
    while (i < line.length) {
      const c = line.charCodeAt(i);
      if (c >= 0x40 && c <= 0x7e) return i + 1;
      if (c < 0x20 || c > 0x3f) return i; // malformed: drop what was read so far
      i++;
    }
    return line.length;
  }
  if (kind === ']' || kind === 'P' || kind === '_' || kind === '^') {
    // OSC / DCS / APC / PM: up to BEL or ST (ESC \)
    let i = at + 2;
    while (i < line.length) {
      if (line[i] === '\u0007') return i + 1;
      if (line[i] === ESC && line[i + 1] === '\\') return i + 2;
      i++;
    }
    return line.length;
  }
  if (kind === '(' || kind === ')' || kind === '#' || kind === '%')
    return Math.min(at + 3, line.length);
  return Math.min(at + 2, line.length);
}

/** The numeric parameters of an SGR sequence, or undefined when the sequence is not SGR. */
function sgrParams(line: string, at: number, end: number): number[] | undefined {
  if (line[at + 1] !== '[' || line[end - 1] !== 'm') return undefined;
  const body = line.slice(at + 2, end - 1);
  if (!/^[\d;:]*$/.test(body)) return undefined;
  if (body === '') return [0];
  return body.split(/[;:]/).map((part) => (part === '' ? 0 : Number(part)));
}

const ATTRIBUTE_ON: Record<number, keyof AnsiStyle> = {
  1: 'bold',
  2: 'dim',
  3: 'italic',
  4: 'underline',
  7: 'inverse',
  9: 'strike',
};

/** A new style with the SGR parameters applied (the same object when nothing changed). */
export function applySgr(style: AnsiStyle, params: readonly number[]): AnsiStyle {
  let next: AnsiStyle = { ...style };
  for (let i = 0; i < params.length; i++) {
    const p = params[i] ?? 0;
    const attribute = ATTRIBUTE_ON[p];
    if (p === 0) next = {};
    else if (attribute) next[attribute] = true as never;
    else if (p === 21 || p === 22) {
      delete next.bold;
      delete next.dim;
    } else if (p === 23) delete next.italic;
    else if (p === 24) delete next.underline;
    else if (p === 27) delete next.inverse;
    else if (p === 29) delete next.strike;
    else if (p >= 30 && p <= 37) next.fg = p - 30;
    else if (p >= 90 && p <= 97) next.fg = p - 90 + 8;
    else if (p === 39) delete next.fg;
    else if (p >= 40 && p <= 47) next.bg = p - 40;
    else if (p >= 100 && p <= 107) next.bg = p - 100 + 8;
    else if (p === 49) delete next.bg;
    else if (p === 38 || p === 48) {
      const [color, used] = extendedColor(params, i + 1);
      if (color !== undefined) {
        if (p === 38) next.fg = color;
        else next.bg = color;
      }
      i += used;
    }
  }
  return sameStyle(style, next) ? style : next;
}

/** `5;n` (palette) or `2;r;g;b` (true colour) after a 38/48; returns the colour and params used. */
function extendedColor(params: readonly number[], at: number): [AnsiColor | undefined, number] {
  const mode = params[at];
  if (mode === 5) {
    const index = params[at + 1];
    return [index !== undefined && index >= 0 && index <= 255 ? index : undefined, 2];
  }
  if (mode === 2) {
    const rgb = [params[at + 1], params[at + 2], params[at + 3]];
    if (rgb.some((v) => v === undefined || v < 0 || v > 255)) return [undefined, 4];
    return [`#${rgb.map((v) => (v as number).toString(16).padStart(2, '0')).join('')}`, 4];
  }
  return [undefined, 0];
}

const STYLE_KEYS: readonly (keyof AnsiStyle)[] = [
  'fg',
  'bg',
  'bold',
  'dim',
  'italic',
  'underline',
  'inverse',
  'strike',
];

export function sameStyle(a: AnsiStyle, b: AnsiStyle): boolean {
  return STYLE_KEYS.every((key) => a[key] === b[key]);
}

/** Text without any escape sequences, as search sees it. */
export function stripAnsi(line: string): string {
  return parseAnsiLine(line)
    .segments.map((s) => s.text)
    .join('');
}

/** The 16 basic colours, tuned for a dark background. */
export const BASIC_COLORS: readonly string[] = [
  '#3b3f45', // black: lifted so it shows on the dark background
  '#f0625f',
  '#7ccf6c',
  '#e5c15a',
  '#6aa5f2',
  '#d18ae8',
  '#5fc9d3',
  '#d7dae0',
  '#7f848e',
  '#ff8a87',
  '#a4e38f',
  '#f5d67a',
  '#94c1ff',
  '#e6a8f7',
  '#8ee3ea',
  '#ffffff',
];

/** The CSS colour of a palette index or true colour. */
export function colorToCss(color: AnsiColor): string {
  if (typeof color === 'string') return color;
  if (color < 16) return BASIC_COLORS[color] ?? '#d7dae0';
  if (color < 232) {
    const n = color - 16;
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    const r = level(Math.floor(n / 36));
    const g = level(Math.floor(n / 6) % 6);
    const b = level(n % 6);
    return `rgb(${r},${g},${b})`;
  }
  const grey = 8 + (color - 232) * 10;
  return `rgb(${grey},${grey},${grey})`;
}

export interface CssStyle {
  color?: string;
  backgroundColor?: string;
  fontWeight?: 'bold';
  opacity?: number;
  fontStyle?: 'italic';
  textDecoration?: string;
}

/** The inline CSS for a style (inverse swaps the colours, with the theme's defaults). */
export function styleToCss(
  style: AnsiStyle,
  defaults: { fg: string; bg: string } = { fg: '#d7dae0', bg: '#1e2127' },
): CssStyle {
  const css: CssStyle = {};
  let fg = style.fg === undefined ? undefined : colorToCss(style.fg);
  let bg = style.bg === undefined ? undefined : colorToCss(style.bg);
  if (style.bold && typeof style.fg === 'number' && style.fg < 8) fg = colorToCss(style.fg + 8);
  if (style.inverse) [fg, bg] = [bg ?? defaults.bg, fg ?? defaults.fg];
  if (fg) css.color = fg;
  if (bg) css.backgroundColor = bg;
  if (style.bold) css.fontWeight = 'bold';
  if (style.dim) css.opacity = 0.7;
  if (style.italic) css.fontStyle = 'italic';
  const decorations = [style.underline && 'underline', style.strike && 'line-through'].filter(
    Boolean,
  );
  if (decorations.length) css.textDecoration = decorations.join(' ');
  return css;
}
