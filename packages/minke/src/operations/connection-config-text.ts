import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { InputError } from '../errors.js';

// yaml is some seventy files: required when a config text is read, not by every command at start.
const requireYaml = () => createRequire(import.meta.url)('yaml') as typeof Yaml;

/**
 * Reads a connection config given as YAML or JSON text (JSON is YAML). It must be a mapping; the
 * error says which was wrong and where (`host web-1`, line and column).
 *
 * @example parseConnectionConfigText('user: deploy\nport: 2222', 'host web-1')
 */
export function parseConnectionConfigText(text: string, where: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  const document = requireYaml().parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [first] = document.errors;
  if (first) {
    const [line, column] = first.linePos?.[0]
      ? [first.linePos[0].line, first.linePos[0].col]
      : [undefined, undefined];
    const at = line === undefined ? '' : ` at line ${line}, column ${column}`;
    const reason = first.message.split('\n')[0] ?? first.message;
    throw new InputError(`${where}: the config is not valid YAML or JSON${at}: ${reason}`, {
      fields: { config: `not valid YAML/JSON${at}` },
    });
  }
  return checkConfigMapping(document.toJS() as unknown, where);
}

export function checkConfigMapping(value: unknown, where: string): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    const got = Array.isArray(value) ? 'a list' : `a ${typeof value} (${JSON.stringify(value)})`;
    throw new InputError(
      `${where}: the config must be a mapping of settings (key: value), not ${got}`,
      {
        fields: {
          config: `must be a mapping, got ${Array.isArray(value) ? 'a list' : typeof value}`,
        },
      },
    );
  }
  return value as Record<string, unknown>;
}
