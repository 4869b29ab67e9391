import type { PluginInfo, RejectedPlugin, ResultFormat } from '@minke/protocol';

/** One authorized plugin: what to run, how long it may take and how to read its output. */
export interface Plugin {
  /** The key requests use (Vogeler: the `name` field, not the section name). */
  name: string;
  description: string;
  /** The command line as written in the file. */
  command: string;
  /** `command` split into words; `argv[0]` is the program. */
  argv: string[];
  format: ResultFormat;
  /** Vogeler's `command_alias`: shown to people (list, presence, agents page), never run. */
  commandAlias?: string;
  timeoutMs: number;
  /** Run by itself every this many milliseconds, as well as on request. */
  intervalMs?: number;
  /** Standard output beyond this many bytes is cut off and the result marked truncated. */
  maxOutputBytes: number;
  /** Where it was defined, for messages: `plugins/facter.cfg [facter]`. */
  source: string;
}

export const PLUGIN_DEFAULTS = {
  timeoutMs: 60_000,
  maxOutputBytes: 1024 * 1024,
  format: 'string',
} as const satisfies Partial<Plugin>;

/** The outcome of reading a plugin directory: what may run, and what was refused and why. */
export interface PluginSet {
  plugins: Plugin[];
  rejected: RejectedPlugin[];
}

/** How a plugin is advertised in the agent's presence. */
export function pluginInfo(plugin: Plugin): PluginInfo {
  const info: PluginInfo = {
    name: plugin.name,
    description: plugin.description,
    format: plugin.format,
  };
  if (plugin.intervalMs !== undefined) info.interval = plugin.intervalMs / 1000;
  if (plugin.commandAlias !== undefined) info.commandAlias = plugin.commandAlias;
  return info;
}
