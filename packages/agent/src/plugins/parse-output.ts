import type { ResultFormat } from '@minke/protocol';
import { parse as parseYamlText } from 'yaml';
import type { JsonValue } from './json-value.js';
import { parsePythonLiteral } from './parse-python-literal.js';

export type { JsonValue } from './json-value.js';
export type ParsedOutput = { ok: true; value: JsonValue } | { ok: false; error: string };

/**
 * Turns a plugin's standard output into the value the server stores, by `result_format`, exactly
 * as Vogeler stored it:
 *
 * | format   | value |
 * |----------|-------|
 * | `json`   | the parsed JSON |
 * | `yaml`   | the parsed YAML, core schema only: no custom types are ever built, unknown tags are ignored |
 * | `output` | the lines (split at `\n`), each stripped of surrounding white space; a final newline leaves a last `""`: `"x\n y \n"` → `["x", "y", ""]` |
 * | `string` | the text exactly as printed |
 * | `raw`    | the text exactly as printed |
 * | `pylist` | a Python list (or tuple) literal, read safely into a JSON array (never run) |
 * | `pydict` | a Python dict literal, read safely into a JSON object (never run) |
 *
 * Output cut at `max_output` (`truncated`) cannot be trusted to be a complete document, so the
 * structured formats fail on it with a message that says so.
 */
export function parseOutput(format: ResultFormat, text: string, truncated = false): ParsedOutput {
  if (truncated && STRUCTURED.has(format)) {
    return {
      ok: false,
      error: `output was cut at max_output, so it is not a complete ${DOCUMENT_NAMES[format] ?? format}`,
    };
  }
  switch (format) {
    case 'json':
      return parseJson(text);
    case 'yaml':
      return parseYaml(text);
    case 'output':
      return { ok: true, value: strippedLines(text) };
    case 'string':
    case 'raw':
      return { ok: true, value: text };
    case 'pylist':
      return parsePython(text, 'list');
    case 'pydict':
      return parsePython(text, 'dict');
  }
}

const STRUCTURED = new Set<ResultFormat>(['json', 'yaml', 'pylist', 'pydict']);
const DOCUMENT_NAMES: Partial<Record<ResultFormat, string>> = {
  json: 'JSON document',
  yaml: 'YAML document',
  pylist: 'Python list',
  pydict: 'Python dict',
};

function parseJson(text: string): ParsedOutput {
  if (text.trim() === '') return { ok: false, error: 'invalid JSON output: it is empty' };
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (error) {
    return { ok: false, error: `invalid JSON output: ${(error as Error).message}` };
  }
}

function parseYaml(text: string): ParsedOutput {
  try {
    const value = parseYamlText(text, {
      schema: 'core',
      merge: false,
      uniqueKeys: true,
      maxAliasCount: 100,
      // Errors throw; warnings (unknown tags, which are then ignored) stay quiet.
      logLevel: 'error',
    }) as unknown;
    // Only what JSON can carry goes on the wire (maps become objects with string keys).
    return { ok: true, value: JSON.parse(JSON.stringify(value ?? null)) as JsonValue };
  } catch (error) {
    return { ok: false, error: `invalid YAML output: ${(error as Error).message.split('\n')[0]}` };
  }
}

function parsePython(text: string, expected: 'list' | 'dict'): ParsedOutput {
  const parsed = parsePythonLiteral(text);
  if (!parsed.ok) return { ok: false, error: `invalid Python ${expected}: ${parsed.error}` };
  const value = parsed.value;
  const isList = Array.isArray(value);
  const isDict = typeof value === 'object' && value !== null && !isList;
  if (expected === 'list' ? isList : isDict) return { ok: true, value };
  return {
    ok: false,
    error: `invalid Python ${expected}: the output is ${describeKind(value)}, not a ${expected}`,
  };
}

function describeKind(value: JsonValue): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'None';
  if (typeof value === 'object') return 'a dict';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

/**
 * Python's `str.strip()` white space: JavaScript's `\s` without U+FEFF, plus the separators
 * U+001C-U+001F and U+0085 that Python also strips.
 */
const PY_SPACE = new Set([
  ...'\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000',
  ...Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)),
]);

/** Vogeler's `[line.strip() for line in value.split("\n")]`. */
function strippedLines(text: string): string[] {
  return text.split('\n').map(pythonStrip);
}

/** A loop rather than a `^\s+|\s+$` pattern, which takes quadratic time on long runs of spaces. */
function pythonStrip(line: string): string {
  let start = 0;
  let end = line.length;
  while (start < end && PY_SPACE.has(line.charAt(start))) start++;
  while (end > start && PY_SPACE.has(line.charAt(end - 1))) end--;
  return line.slice(start, end);
}
