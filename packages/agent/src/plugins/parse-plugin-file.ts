import { pluginNameProblem, RESULT_FORMATS, type ResultFormat } from '@minke/protocol';
import { PLUGIN_DEFAULTS, type Plugin, type PluginSet } from './plugin.js';
import { readIni, type SectionLines } from './read-ini.js';
import { splitArgv } from './split-argv.js';

/**
 * Reads one plugin file (Vogeler-compatible INI; see `read-ini.ts`). Each section is one plugin,
 * keyed by its `name` field:
 *
 * ```ini
 * [facter]
 * name = facter
 * description = Uses facter to return facts
 * command = facter -y
 * result_format = yaml
 * command_alias = get_facts
 * ; Minke additions
 * timeout = 30        ; seconds, or 500ms, 2m, 1h (default 60)
 * interval = 1h       ; also report by itself this often (default: only on request)
 * max_output = 4M     ; bytes, or k/M (default 1M)
 * ```
 *
 * A file that does not parse is rejected as a whole; otherwise each bad section is rejected on
 * its own with the reason, and the good ones are kept. `file` is how the file is named in
 * `rejected` entries (the agent uses the file name within its plugin directory).
 *
 * Reasons go to the server (in the agent's presence), so they point at lines and name only the
 * known keys and formats: they never quote what the file says, whatever file it turns out to be.
 */
export function parsePluginFile(text: string, file: string): PluginSet {
  const ini = readIni(text);
  if (!ini.ok)
    return { plugins: [], rejected: [{ file, reason: `does not parse: ${ini.reason}` }] };
  if (ini.sections.size === 0)
    return { plugins: [], rejected: [{ file, reason: 'defines no [section]' }] };
  const set: PluginSet = { plugins: [], rejected: [] };
  for (const [section, values] of ini.sections) {
    const lines = ini.lines.get(section) as SectionLines;
    const at = (key: string) => `line ${lines.keys.get(key) ?? lines.header}`;
    const plugin = toPlugin(values, ini.referenced.get(section), `${file} [${section}]`, at);
    if (typeof plugin === 'string')
      set.rejected.push({ file, reason: `section at line ${lines.header}: ${plugin}` });
    else set.plugins.push(plugin);
  }
  return set;
}

const KNOWN_KEYS = new Set([
  'name',
  'description',
  'command',
  'result_format',
  'command_alias',
  'timeout',
  'interval',
  'max_output',
]);

/** The plugin a section describes, or why it cannot be one. */
function toPlugin(
  values: Map<string, string>,
  helpers: ReadonlySet<string> = new Set(),
  source: string,
  at: (key: string) => string,
): Plugin | string {
  // A key that only feeds %(key)s interpolation is a helper; any other unknown key is a typo.
  const unknown = [...values.keys()].filter((key) => !KNOWN_KEYS.has(key) && !helpers.has(key));
  if (unknown.length > 0)
    return `unknown key at ${unknown.map(at).join(', ')} (known: ${[...KNOWN_KEYS].join(', ')})`;
  const name = values.get('name') ?? '';
  if (name === '') return 'missing name';
  if (pluginNameProblem(name))
    return `name (${at('name')}) must be 1-128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit`;
  const command = values.get('command') ?? '';
  if (command === '') return 'missing command';
  const argv = commandArgv(command);
  if (typeof argv === 'string') return argv;
  const format = values.get('result_format') || PLUGIN_DEFAULTS.format;
  if (!isFormat(format))
    return `unknown result_format (${at('result_format')}; known: ${RESULT_FORMATS.join(', ')})`;
  const timeoutMs = duration(values.get('timeout'), PLUGIN_DEFAULTS.timeoutMs);
  if (typeof timeoutMs === 'string') return `timeout (${at('timeout')}) ${timeoutMs}`;
  const intervalMs = duration(values.get('interval'), undefined);
  if (typeof intervalMs === 'string') return `interval (${at('interval')}) ${intervalMs}`;
  if (intervalMs !== undefined && intervalMs < 1000) return 'interval must be at least 1 second';
  const maxOutputBytes = size(values.get('max_output'), PLUGIN_DEFAULTS.maxOutputBytes);
  if (typeof maxOutputBytes === 'string')
    return `max_output (${at('max_output')}) ${maxOutputBytes}`;

  const plugin: Plugin = {
    name,
    description: values.get('description') ?? '',
    command,
    argv,
    format,
    timeoutMs,
    maxOutputBytes,
    source,
  };
  const alias = values.get('command_alias');
  if (alias) plugin.commandAlias = alias;
  if (intervalMs !== undefined) plugin.intervalMs = intervalMs;
  return plugin;
}

function commandArgv(command: string): string[] | string {
  const split = splitArgv(command);
  if (!split.ok) return `command: ${split.reason}`;
  if (split.argv.length === 0 || split.argv[0] === '') return 'missing command';
  const [operator] = split.operators;
  if (operator !== undefined) {
    // One of a fixed set of operators; a `$(...)` word is named by its kind, not quoted.
    const shown = operator.startsWith('$(') ? '$(...)' : operator;
    return `command: shell operator "${shown}" would reach the program as an argument (commands run without a shell; use sh -c '...')`;
  }
  return split.argv;
}

function isFormat(format: string): format is ResultFormat {
  return (RESULT_FORMATS as readonly string[]).includes(format);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30`, `1.5`, `500ms`, `2m`, `1h` (plain numbers are seconds); between 1 ms and 7 days. */
function duration<D extends number | undefined>(
  text: string | undefined,
  fallback: D,
): number | D | string {
  if (text === undefined || text === '') return fallback;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(text);
  if (!match) return 'is not a duration (use seconds, or 500ms, 2m, 1h)';
  const ms = Math.round(
    Number(match[1]) * (DURATION_UNITS[(match[2] ?? 's').toLowerCase()] ?? 1000),
  );
  if (ms < 1 || ms > 7 * 24 * 3_600_000) return 'must be between 1 ms and 7 days';
  return ms;
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 * 1024 };

/** `65536`, `64k`, `4M` (k and M are 1024-based, an optional `b`/`ib` is allowed); up to 256 MiB. */
function size(text: string | undefined, fallback: number): number | string {
  if (text === undefined || text === '') return fallback;
  const match = /^(\d+)\s*(?:([km])(?:i?b)?|b)?$/i.exec(text);
  if (!match) return 'is not a size (use bytes, or 64k, 4M)';
  const bytes = Number(match[1]) * (SIZE_UNITS[(match[2] ?? '').toLowerCase()] ?? 1);
  if (bytes < 1 || bytes > 256 * 1024 * 1024) return 'must be between 1 byte and 256M';
  return bytes;
}
