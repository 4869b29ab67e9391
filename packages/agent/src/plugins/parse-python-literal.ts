import type { JsonValue } from './json-value.js';

export type PythonLiteralOutcome = { ok: true; value: JsonValue } | { ok: false; error: string };

export interface PythonLiteralOptions {
  /** Lists, tuples and dicts nested deeper than this are refused. Default 100. */
  maxDepth?: number;
}

/**
 * Reads a Python literal (what `print(repr(x))` writes for a list or dict of plain values) into
 * JSON, for Vogeler's `pylist` and `pydict` result formats. It is a parser, never an evaluator:
 * nothing in the text is ever run, and anything that is not a literal is an error naming the
 * line and column. Accepted, as Python 3's `ast.literal_eval` reads them:
 *
 * - strings in `'` or `"` (also tripled), with escapes (`\n`, `\x41`, `\u00e9`, octal, ...), the
 *   prefixes `u`, `r`, `b` (bytes are read as UTF-8 text), and adjacent strings joined;
 * - integers (decimal, `0x`, `0o`, `0b`, `_` separators, Python 2's `L` suffix), floats, a sign;
 * - `True`, `False`, `None`;
 * - lists and tuples (both become JSON arrays), dicts (keys become strings as `json.dumps` writes
 *   them: `1` → `"1"`, `True` → `"true"`, `None` → `"null"`; the last of a repeated key wins).
 *
 * What JSON cannot carry is an error: sets, complex numbers, `inf`/`nan`, tuple keys. An integer
 * beyond 2^53 - 1, which a JSON number cannot hold exactly, is kept as its decimal string.
 *
 * @example
 *   parsePythonLiteral("{'pkgs': [u'curl', 'nginx'], 'count': 2L, 'ok': True}")
 *   // { ok: true, value: { pkgs: ['curl', 'nginx'], count: 2, ok: true } }
 */
export function parsePythonLiteral(
  text: string,
  options: PythonLiteralOptions = {},
): PythonLiteralOutcome {
  const parser = new LiteralParser(text, options.maxDepth ?? 100);
  try {
    return { ok: true, value: parser.parseDocument() };
  } catch (error) {
    if (error instanceof LiteralError) return { ok: false, error: parser.describe(error) };
    throw error;
  }
}

class LiteralError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

const NUMBER =
  /(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?)([lLjJ])?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const STRING_PREFIX = /([rRuUbBfF]{0,2})(?='|")/y;
const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** What ends a run of plain characters in a string, per quote (a line end only ends short ones). */
const STOPS = {
  single: { "'": /['\\\n]/g, '"': /["\\\n]/g },
  triple: { "'": /['\\]/g, '"': /["\\]/g },
};

/** A key read from a dict, before it becomes a JSON object key. */
type Key = { kind: 'key'; text: string } | { kind: 'unhashable'; what: string };

class LiteralParser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): JsonValue {
    this.skipSpace();
    if (this.pos >= this.text.length) throw new LiteralError('it is empty', 0);
    const value = this.parseValue();
    this.skipSpace();
    if (this.pos < this.text.length)
      throw this.error(`unexpected ${this.describeNext()} after the value`);
    return value;
  }

  /** `line 2, column 5: <message>`. */
  describe(error: LiteralError): string {
    const before = this.text.slice(0, error.at);
    const line = before.split('\n').length;
    const column = error.at - before.lastIndexOf('\n');
    return `line ${line}, column ${column}: ${error.message}`;
  }

  private parseValue(): JsonValue {
    const char = this.text.charAt(this.pos);
    if (char === '[') return this.parseSequence(']', 'list');
    if (char === '(') return this.parseParenthesized();
    if (char === '{') return this.parseDict();
    if (char === '-' || char === '+') return this.parseSigned();
    if (this.startsString()) return this.parseStrings();
    const number = this.tryNumber();
    if (number !== undefined) return number;
    return this.parseName();
  }

  private parseSequence(close: ']' | ')', what: string): JsonValue[] {
    const open = this.pos;
    this.enter();
    this.pos++;
    return this.continueSequence([], close, what, open);
  }

  /** The rest of a list or tuple, after `items` (the cursor is after the last comma). */
  private continueSequence(
    items: JsonValue[],
    close: ']' | ')',
    what: string,
    open: number,
  ): JsonValue[] {
    for (;;) {
      this.skipSpace();
      if (this.text.charAt(this.pos) === close) break;
      items.push(this.parseValue());
      this.skipSpace();
      if (this.eat(',')) continue;
      if (this.text.charAt(this.pos) === close) break;
      throw this.unclosed(what, close, open);
    }
    this.pos++;
    this.depth--;
    return items;
  }

  /** `()` and `(1,)` are tuples; `(1)` is just 1, as in Python. */
  private parseParenthesized(): JsonValue {
    const open = this.pos;
    this.enter();
    this.pos++;
    this.skipSpace();
    if (this.eat(')')) {
      this.depth--;
      return [];
    }
    const first = this.parseValue();
    this.skipSpace();
    if (this.eat(')')) {
      this.depth--;
      return first;
    }
    if (!this.eat(',')) throw this.unclosed('tuple', ')', open);
    return this.continueSequence([first], ')', 'tuple', open);
  }

  private parseDict(): JsonValue {
    const open = this.pos;
    this.enter();
    this.pos++;
    const dict: Record<string, JsonValue> = {};
    for (;;) {
      this.skipSpace();
      if (this.text.charAt(this.pos) === '}') break;
      const keyAt = this.pos;
      const key = this.toKey(this.parseValue());
      this.skipSpace();
      if (!this.eat(':')) {
        const next = this.text.charAt(this.pos);
        if (next === ',' || next === '}')
          throw new LiteralError('a set ({...} without keys) has no JSON form', open);
        throw this.error(`expected ":" after a dict key, got ${this.describeNext()}`);
      }
      this.skipSpace();
      const value = this.parseValue();
      if (key.kind === 'unhashable')
        throw new LiteralError(`a ${key.what} cannot be a dict key`, keyAt);
      // Defined, not assigned: a key named "__proto__" must stay an ordinary key.
      Object.defineProperty(dict, key.text, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipSpace();
      if (this.eat(',')) continue;
      if (this.text.charAt(this.pos) === '}') break;
      throw this.unclosed('dict', '}', open);
    }
    this.pos++;
    this.depth--;
    return dict;
  }

  /** The JSON key `json.dumps` would write for a Python key. */
  private toKey(value: JsonValue): Key {
    if (typeof value === 'string') return { kind: 'key', text: value };
    if (typeof value === 'number' || typeof value === 'boolean' || value === null)
      return { kind: 'key', text: JSON.stringify(value) };
    return { kind: 'unhashable', what: Array.isArray(value) ? 'list or tuple' : 'dict' };
  }

  /** `-1`, `+2.5`: one sign before a number, as `ast.literal_eval` allows. */
  private parseSigned(): JsonValue {
    const sign = this.text.charAt(this.pos);
    this.pos++;
    this.skipSpace();
    const number = this.tryNumber();
    if (number === undefined) throw this.error(`"${sign}" must be followed by a number`);
    if (sign === '+' || typeof number !== 'number') {
      return sign === '-' ? `-${number}` : number;
    }
    return number === 0 ? 0 : -number;
  }

  /** A number literal at the cursor, or undefined when there is none. */
  private tryNumber(): number | string | undefined {
    const start = this.pos;
    const first = this.text.charCodeAt(start);
    const isDigit = first >= 0x30 && first <= 0x39;
    if (!isDigit && first !== 0x2e) return undefined; // the pattern is slow to fail
    const plain = this.plainInteger(start);
    if (plain !== undefined) return plain;
    NUMBER.lastIndex = start;
    const match = NUMBER.exec(this.text);
    if (!match) return undefined;
    const [literal, suffix] = match;
    this.pos = start + literal.length;
    if (/[A-Za-z0-9_]/.test(this.text.charAt(this.pos)))
      throw new LiteralError(`invalid number ${JSON.stringify(literal)}`, start);
    if (suffix === 'j' || suffix === 'J')
      throw new LiteralError('complex numbers have no JSON form', start);
    const digits = (suffix ? literal.slice(0, -1) : literal).replace(/_/g, '');
    const isFloat = !/^0[xXoObB]/.test(digits) && /[.eE]/.test(digits);
    if (isFloat) {
      if (suffix) throw new LiteralError(`invalid number ${JSON.stringify(literal)}`, start);
      const value = Number(digits);
      if (!Number.isFinite(value))
        throw new LiteralError(`${literal} is too large for a JSON number`, start);
      return value;
    }
    if (/^0\d/.test(digits) && /[1-9]/.test(digits))
      throw new LiteralError(
        `leading zeros in ${literal} are not allowed (write 0o${digits.replace(/^0+/, '')} for octal)`,
        start,
      );
    const big = BigInt(digits);
    return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
  }

  /** The common case, a short decimal integer, without the full pattern (large lists of them). */
  private plainInteger(start: number): number | undefined {
    let end = start;
    while (end - start < 16) {
      const code = this.text.charCodeAt(end);
      if (code < 0x30 || code > 0x39) break;
      end++;
    }
    const after = this.text.charAt(end);
    const digits = end - start;
    if (digits === 0 || digits > 15 || /[\w.]/.test(after)) return undefined;
    if (digits > 1 && this.text.charCodeAt(start) === 0x30) return undefined; // leading zero
    this.pos = end;
    return Number(this.text.slice(start, end));
  }

  private parseName(): JsonValue {
    const start = this.pos;
    NAME.lastIndex = start;
    const match = NAME.exec(this.text);
    if (!match) throw this.error(`unexpected ${this.describeNext()}`);
    this.pos = start + match[0].length;
    switch (match[0]) {
      case 'True':
        return true;
      case 'False':
        return false;
      case 'None':
        return null;
      default:
        throw new LiteralError(
          `${JSON.stringify(match[0])} is not a literal (only strings, numbers, True, False, None, lists, tuples and dicts are read; nothing is run)`,
          start,
        );
    }
  }

  /** One string literal, or several side by side (`'a' 'b'` is `'ab'`). */
  private parseStrings(): string {
    let value = this.parseString();
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      if (!this.startsString()) {
        this.pos = before;
        return value;
      }
      value += this.parseString();
    }
  }

  private parseString(): string {
    const start = this.pos;
    const prefix = this.stringPrefix(start);
    this.pos += prefix.length;
    const raw = prefix.includes('r');
    const bytes = prefix.includes('b');
    const quote = this.text.charAt(this.pos);
    const triple = this.text.startsWith(quote.repeat(3), this.pos);
    const close = triple ? quote.repeat(3) : quote;
    const stops = STOPS[triple ? 'triple' : 'single'][quote === '"' ? '"' : "'"];
    this.pos += close.length;
    const parts: string[] = [];
    let runStart = this.pos;
    for (;;) {
      // Jump to the next character that matters: the quote, a backslash or (a) line end.
      stops.lastIndex = this.pos;
      const stop = stops.exec(this.text);
      if (!stop) throw new LiteralError('unterminated string (no closing quote)', start);
      this.pos = stop.index;
      const char = stop[0];
      if (char === '\n')
        throw new LiteralError('unterminated string (the line ends before the quote)', start);
      if (char === quote && (!triple || this.text.startsWith(close, this.pos))) break;
      if (char !== '\\') {
        this.pos++;
        continue;
      }
      parts.push(this.text.slice(runStart, this.pos));
      parts.push(raw ? this.rawEscape() : this.escape(bytes));
      runStart = this.pos;
    }
    parts.push(this.text.slice(runStart, this.pos));
    this.pos += close.length;
    const value = parts.join('');
    return bytes ? bytesAsText(value) : value;
  }

  /** `u`, `r`, `b`, `br`, `rb`, `ur` in any case, or nothing. */
  private stringPrefix(start: number): string {
    const first = this.text.charAt(start);
    if (first === "'" || first === '"') return '';
    STRING_PREFIX.lastIndex = start;
    const prefix = STRING_PREFIX.exec(this.text)?.[1] ?? '';
    const lower = prefix.toLowerCase();
    if (lower.includes('f'))
      throw new LiteralError('f-strings are code, not literals; they are not read', start);
    if (!/^(u|r|b|br|rb|ur)$/.test(lower))
      throw new LiteralError(`invalid string prefix ${JSON.stringify(prefix)}`, start);
    return lower;
  }

  /** In a raw string a backslash stays, and keeps the next character from ending the string. */
  private rawEscape(): string {
    const pair = this.text.slice(this.pos, this.pos + 2);
    if (pair.length < 2) throw new LiteralError('unterminated string (no closing quote)', this.pos);
    this.pos += 2;
    return pair;
  }

  /** One escape sequence at the cursor (a backslash), as Python reads it. */
  private escape(bytes: boolean): string {
    const at = this.pos;
    const next = this.text.charAt(at + 1);
    this.pos += 2;
    if (next === '') throw new LiteralError('unterminated string (no closing quote)', at);
    if (next === '\n') return '';
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) return simple;
    if (/[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(this.text.slice(at + 1, at + 4))?.[0] ?? next;
      this.pos = at + 1 + octal.length;
      return String.fromCodePoint(parseInt(octal, 8));
    }
    const hexLength = next === 'x' ? 2 : bytes ? 0 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const hex = this.text.slice(at + 2, at + 2 + hexLength);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex))
        throw new LiteralError(`\\${next} needs ${hexLength} hex digits`, at);
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) throw new LiteralError(`\\${next}${hex} is not a character`, at);
      this.pos = at + 2 + hexLength;
      return String.fromCodePoint(code);
    }
    if (next === 'N' && !bytes)
      throw new LiteralError('\\N{name} escapes are not supported; use \\u', at);
    return `\\${next}`; // Python keeps an unknown escape as it is
  }

  private enter(): void {
    if (++this.depth > this.maxDepth)
      throw this.error(`nested deeper than ${this.maxDepth} levels`);
  }

  /** Spaces, line breaks, `#` comments and backslash line continuations. */
  private skipSpace(): void {
    for (;;) {
      const char = this.text.charAt(this.pos);
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f') {
        this.pos++;
      } else if (char === '#') {
        const end = this.text.indexOf('\n', this.pos);
        this.pos = end === -1 ? this.text.length : end;
      } else if (char === '\\' && /^\\\r?\n/.test(this.text.slice(this.pos, this.pos + 3))) {
        this.pos += this.text.charAt(this.pos + 1) === '\r' ? 3 : 2;
      } else {
        return;
      }
    }
  }

  private eat(char: string): boolean {
    if (this.text.charAt(this.pos) !== char) return false;
    this.pos++;
    return true;
  }

  /** A string literal (with its prefix, if any) starts at the cursor. */
  private startsString(): boolean {
    STRING_PREFIX.lastIndex = this.pos;
    return STRING_PREFIX.test(this.text);
  }

  private describeNext(): string {
    if (this.pos >= this.text.length) return 'end of output';
    return JSON.stringify(this.text.slice(this.pos, this.pos + 20));
  }

  private unclosed(what: string, close: string, open: number): LiteralError {
    const ended = this.pos >= this.text.length;
    return ended
      ? new LiteralError(`${what} is not closed with "${close}"`, open)
      : this.error(`expected "," or "${close}" in the ${what}, got ${this.describeNext()}`);
  }

  private error(message: string): LiteralError {
    return new LiteralError(message, this.pos);
  }
}

/** A bytes literal's characters are byte values; read them as UTF-8 text. */
function bytesAsText(value: string): string {
  const codes = Array.from(value, (char) => char.codePointAt(0) ?? 0);
  if (codes.some((code) => code > 0xff)) return value;
  return Buffer.from(codes).toString('utf8');
}
