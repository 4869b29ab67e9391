import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent } from './agent.js';
import { ConfigError, loadSettings } from './config.js';
import { createLineLogger } from './logger.js';
import { loadPlugins } from './plugins/load-plugins.js';
import { pluginInfo, type PluginSet } from './plugins/plugin.js';
import { reportLegacySpool } from './spool-legacy.js';
import { AGENT_VERSION } from './version.js';

/** Where the CLI writes and what it reads; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Resolves when the process is asked to stop (SIGINT, SIGTERM). */
  stopRequested: () => Promise<void>;
}

const USAGE = `Usage: minke-agent <command> [options]

Commands:
  run [--config FILE] [--plugins DIR] [--oneshot] [--strict]
                     connect to the broker and answer signed requests until stopped;
                     --oneshot answers one request and exits; --strict refuses to start
                     when a plugin file is malformed (default: skip it and report it)
  list [--config FILE] [--plugins DIR] [--json]
                     show the plugins this agent authorizes (no broker needed)
  check DIR          validate the plugin files in DIR; exits 1 on any problem

Options come from the config file (--config, MINKE_AGENT_CONFIG, or /etc/minke/agent.yaml)
and MINKE_AGENT_* variables (MINKE_AGENT_BROKER_URL, MINKE_AGENT_PASSWORD, ...).
Exit codes: 0 ok, 1 failure, 2 wrong usage.
`;

class UsageError extends Error {}

/**
 * The `minke-agent` command. Returns the exit code; every error is one line on stderr.
 *
 * @example
 *   process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'run':
        return await run(rest, io);
      case 'list':
        return await list(rest, io);
      case 'check':
        return await check(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      case '--version':
      case '-V':
        io.stdout(`${AGENT_VERSION}\n`);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}" (try minke-agent --help)`);
    }
  } catch (error) {
    io.stderr(`minke-agent: ${oneLine(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, {
    config: { type: 'string' },
    plugins: { type: 'string' },
    oneshot: { type: 'boolean' },
    strict: { type: 'boolean' },
  });
  const settings = await loadSettings({ ...paths(values), env: io.env, forRun: true });
  const logger = createLineLogger(io.stderr, settings.logLevel);
  const plugins = await loadPlugins(settings.pluginsDir);
  if (values.strict === true) refuseRejected(plugins, settings.pluginsDir);
  if (plugins.plugins.length === 0)
    logger.warn(
      { dir: settings.pluginsDir },
      'no valid plugins: every request will be answered "not authorized"',
    );
  const agent = new Agent({
    config: { ...settings, brokerUrl: settings.brokerUrl ?? '' },
    plugins,
    logger,
    oneshot: values.oneshot === true,
  });
  // Listening before the start: a stop asked for as the agent starts (a service manager's, a
  // test's right after "agent started") waits for the start and ends cleanly, never by the signal.
  const stopRequested = io.stopRequested();
  await agent.start();
  await reportLegacySpool(settings, logger);
  await Promise.race([
    stopRequested,
    values.oneshot ? agent.finished : new Promise<never>(() => undefined),
  ]);
  await agent.stop();
  return 0;
}

/** `run --strict`: one malformed plugin file stops the start, naming every problem. */
function refuseRejected(set: PluginSet, dir: string): void {
  if (set.rejected.length === 0) return;
  const problems = set.rejected.map(
    (rejected) => `${join(dir, rejected.file)}: ${rejected.reason}`,
  );
  throw new Error(
    `--strict: not starting, ${set.rejected.length} plugin problem(s): ${problems.join('; ')}`,
  );
}

async function list(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, {
    config: { type: 'string' },
    plugins: { type: 'string' },
    json: { type: 'boolean' },
  });
  const settings = await loadSettings({ ...paths(values), env: io.env, forRun: false });
  const set = await loadPlugins(settings.pluginsDir);
  if (values.json) {
    const plugins = set.plugins.map((plugin) => ({
      ...pluginInfo(plugin),
      command: plugin.command,
      file: plugin.source,
    }));
    const { node, spoolDir, pluginsDir } = settings;
    const listing = { node, spoolDir, pluginsDir, plugins, rejected: set.rejected };
    io.stdout(`${JSON.stringify(listing, null, 2)}\n`);
    return 0;
  }
  io.stdout(table(set));
  for (const rejected of set.rejected) {
    io.stderr(`rejected: ${join(settings.pluginsDir, rejected.file)}: ${rejected.reason}\n`);
  }
  return 0;
}

async function check(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parse(args, {}, true);
  const [dir, extra] = positionals;
  if (dir === undefined || extra !== undefined)
    throw new UsageError('check needs exactly one directory: minke-agent check DIR');
  const set = await loadPlugins(dir);
  for (const plugin of set.plugins) io.stdout(`ok ${plugin.name} (${plugin.source})\n`);
  for (const rejected of set.rejected)
    io.stderr(`${join(dir, rejected.file)}: ${rejected.reason}\n`);
  if (set.plugins.length === 0 && set.rejected.length === 0) {
    io.stderr(`${dir}: no plugin files (*.cfg, *.ini)\n`);
    return 1;
  }
  io.stdout(`${set.plugins.length} valid, ${set.rejected.length} rejected\n`);
  return set.rejected.length === 0 ? 0 : 1;
}

type Options = Record<string, { type: 'string' | 'boolean' }>;

function parse<O extends Options>(args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function paths(values: {
  config?: string | boolean | undefined;
  plugins?: string | boolean | undefined;
}) {
  return {
    ...(typeof values.config === 'string' ? { configFile: values.config } : {}),
    ...(typeof values.plugins === 'string' ? { pluginsDir: values.plugins } : {}),
  };
}

function table(set: PluginSet): string {
  if (set.plugins.length === 0) return 'no plugins authorized\n';
  const header = ['NAME', 'FORMAT', 'INTERVAL', 'ALIAS', 'DESCRIPTION'];
  const rows = [
    header,
    ...set.plugins.map((plugin) => [
      plugin.name,
      plugin.format,
      plugin.intervalMs === undefined ? '-' : `${plugin.intervalMs / 1000}s`,
      plugin.commandAlias ?? '-',
      plugin.description,
    ]),
  ];
  const padded = header.length - 1; // the last column is not padded
  const widths = header.map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column < padded ? cell.padEnd(widths[column] ?? 0) : cell))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

function oneLine(error: unknown): string {
  const message =
    error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ');
}

function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    stopRequested: () =>
      new Promise((resolve) => {
        const stop = (): void => {
          // A second signal while stopping ends the process at once.
          process.once('SIGINT', () => process.exit(130));
          process.once('SIGTERM', () => process.exit(143));
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }),
  };
}
