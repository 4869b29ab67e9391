import type { ResultFormat } from '@minke/protocol';
import { parse as parseYamlText } from 'yaml';

export type ParsedOutput = { ok: true; value: JsonValue } | { ok: false; error: string };
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Turns a plugin's standard output into the value the server stores, by `result_format`:
 *
 * | format   | value |
 * |----------|-------|
 * | `json`   | the parsed JSON |
 * | `yaml`   | the parsed YAML, core schema only: no custom types are ever built, unknown tags are ignored |
 * | `output` | a list of lines (line ends removed; the empty line after a final newline is not a line) |
 * | `string` | the text, without trailing line breaks |
 * | `raw`    | the text exactly as printed |
 *
 * Output cut at `max_output` (`truncated`) cannot be trusted to be complete JSON or YAML, so those
 * formats fail on it with a message that says so.
 */
export function parseOutput(format: ResultFormat, text: string, truncated = false): ParsedOutput {
  if (truncated && (format === 'json' || format === 'yaml')) {
    return {
      ok: false,
      error: `output was cut at max_output, so it is not complete ${format.toUpperCase()}`,
    };
  }
  switch (format) {
    case 'json':
      return parseJson(text);
    case 'yaml':
      return parseYaml(text);
    case 'output':
      return { ok: true, value: lines(text) };
    case 'string':
      return { ok: true, value: text.replace(/(\r?\n)+$/, '') };
    case 'raw':
      return { ok: true, value: text };
  }
}

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

function lines(text: string): string[] {
  if (text === '') return [];
  const all = text.split(/\r?\n/);
  if (all[all.length - 1] === '') all.pop();
  return all;
}
