import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isMinkeError } from '../errors.js';
import { UsageError } from './cli-error.js';
import { endQuietlyOnClosedPipe } from './closed-pipe.js';
import { inFlagTerms } from './flag-terms.js';
import { RemoteError } from './remote/api-client.js';
import { registerAgentCommands } from './commands/agents.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerClearCommand } from './commands/clear.js';
import { registerCredentialCommands } from './commands/credentials.js';
import { registerDispatchCommand } from './commands/dispatch.js';
import { registerFactCommands } from './commands/facts.js';
import { registerHistoryCommands } from './commands/history.js';
import { registerHostCommands } from './commands/hosts.js';
import { registerInitCommand } from './commands/init.js';
import { registerInventoryCommands } from './commands/inventory.js';
import { registerJobCommands } from './commands/jobs.js';
import { registerLoadCommand } from './commands/load.js';
import { registerDbCommands } from './commands/db.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerNotificationCommands } from './commands/notifications.js';
import { registerPermissionCommands } from './commands/permissions.js';
import { registerPolicyCommands } from './commands/policies.js';
import { registerRecordCommands } from './commands/records.js';
import { registerRunCommand } from './commands/run.js';
import { registerRunsCommands } from './commands/runs.js';
import { registerScheduleCommand } from './commands/schedules.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSessionCommands } from './commands/sessions.js';
import { registerStartCommand } from './commands/start.js';
import { registerTokenCommands } from './commands/tokens.js';
import { registerUserCommands } from './commands/users.js';
import { registerWorkerCommand } from './commands/worker.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * Every top-level command, with the function that registers it. Each register* file declares its
 * options and imports nothing heavy at its top; its action loads what it needs with
 * `await import(...)` (servers, queue, broker, SSH, database drivers, argon2, the project, as
 * `withProject` does). src/cli/cli-startup.int.test.ts checks what --help and hosts list load.
 */
export const COMMAND_GROUPS: readonly (readonly [
  names: readonly string[],
  register: (program: Command) => void,
])[] = [
  [['init'], registerInitCommand],
  [['migrate'], registerMigrateCommand],
  [['db'], registerDbCommands],
  [['start'], registerStartCommand],
  [['serve'], registerServeCommand],
  [['worker'], registerWorkerCommand],
  [['hosts', 'groups'], registerHostCommands],
  [['users'], registerUserCommands],
  [['tokens'], registerTokenCommands],
  [['credentials'], registerCredentialCommands],
  [['permissions'], registerPermissionCommands],
  [['records'], registerRecordCommands],
  [['load'], registerLoadCommand],
  [['sessions'], registerSessionCommands],
  [['run'], registerRunCommand],
  [['runs'], registerRunsCommands],
  [['notifications'], registerNotificationCommands],
  [['clear'], registerClearCommand],
  [['history'], registerHistoryCommands],
  [['agents'], registerAgentCommands],
  [['dispatch'], registerDispatchCommand],
  [['audit'], registerAuditCommands],
  [['jobs'], registerJobCommands],
  [['schedules'], registerScheduleCommand],
  [['facts'], registerFactCommands],
  [['policies'], registerPolicyCommands],
  [['inventory'], registerInventoryCommands],
];

/** Global options that take a value: the word after them is not the command. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['-p', '--project', '--server', '--token-file']);

/**
 * The command word of `argv` (the first that is not a global option or its value), if any; none
 * after `--help` (`minke --help hosts` shows every command).
 */
export function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--' || word === '-h' || word === '--help') return undefined;
    if (!word.startsWith('-')) return word;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(word)) i++;
  }
  return undefined;
}

/**
 * The CLI's commands. Given the command line, only the commands of the group it names are
 * registered (commander parses, checks and helps a command the same with its siblings absent);
 * registering all ~200 commands and options cost every command some 3 ms. Without a known command
 * word (`--help`, `help`, a typo commander suggests a name for), all are.
 */
export function buildProgram(argv?: readonly string[]): Command {
  const program = new Command('minke')
    .description('Remote control, configuration management and inventory for server fleets')
    .version(version(), '-V, --version')
    .option(
      '-p, --project <dir>',
      'the project folder (default: the nearest folder with a minke.config.ts)',
    )
    .option(
      '--server <url>',
      'a Minke server to work through (run, history, hosts, records, agents list, dispatch, facts, credentials, jobs, audit and more: see docs/api.md): its API, as the user of the token in MINKE_TOKEN or --token-file (default: MINKE_SERVER_URL)',
    )
    .option('--token-file <file>', 'a file holding the API token for --server')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const word = argv === undefined ? undefined : commandWord(argv);
  const named = COMMAND_GROUPS.find(([names]) => word !== undefined && names.includes(word));
  for (const [, register] of named ? [named] : COMMAND_GROUPS) register(program);
  program.hook('preAction', (_program, command) => refuseServerWhereLocal(command));
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/** Commands that work through a server's API when one is named. */
const REMOTE_COMMANDS = new Set([
  'run',
  'runs stop',
  'runs rerun',
  'history list',
  'history show',
  'history output',
  'history purge',
  'sessions list',
  'hosts list',
  'hosts show',
  'hosts add',
  'hosts set',
  'hosts remove',
  'hosts import',
  'groups add',
  'groups list',
  'groups set',
  'groups remove',
  'hosts keys',
  'hosts leases',
  'hosts unlock',
  'clear',
  'hosts trust-key',
  'credentials list',
  'credentials add',
  'credentials replace',
  'credentials delete',
  'audit',
  'audit verify',
  'jobs list',
  'jobs show',
  'jobs create',
  'jobs run',
  'jobs enable',
  'jobs disable',
  'jobs delete',
  'schedules',
  'notifications list',
  'notifications test',
  'notifications deliveries',
  'agents list',
  'agents enroll',
  'dispatch',
  'records list',
  'records show',
  'records add',
  'records set',
  'records delete',
  'records export',
  'records import',
  'records changes',
  'permissions list',
  'users create',
  'users list',
  'users delete',
  'users grant',
  'users revoke',
  'tokens create',
  'tokens list',
  'tokens revoke',
  'facts show',
  'facts history',
  'facts series',
  'facts changes',
  'facts distribution',
  'policies list',
  'policies show',
  'policies check',
  'policies set',
  'policies delete',
  'inventory list',
  'inventory sync',
]);

/** `--server` on a command that works on the local project only is a mistake, not a hint. */
function refuseServerWhereLocal(command: Command): void {
  const path: string[] = [];
  for (let c: Command | null = command; c && c.parent; c = c.parent) path.unshift(c.name());
  const name = path.join(' ');
  const globals = command.optsWithGlobals<{ server?: string; tokenFile?: string }>();
  if (
    (globals.server !== undefined || globals.tokenFile !== undefined) &&
    !REMOTE_COMMANDS.has(name)
  )
    throw new UsageError(
      `\`minke ${name}\` works on the local project only (it sets up or serves the project itself): leave out --server; docs/api.md lists the commands that work through a server`,
    );
}

/**
 * Runs the CLI. Every failure is one line on stderr and a non-zero exit: 2 for a usage mistake,
 * 1 for anything else. Stack traces appear only with MINKE_DEBUG=1. A reader that closes the pipe
 * (`| head`) ends the command quietly.
 */
export async function main(argv: string[]): Promise<void> {
  endQuietlyOnClosedPipe();
  const program = buildProgram(argv);
  program.configureOutput({ writeErr: (text) => process.stderr.write(text) });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = exitCodeFor(error);
    if (error instanceof CommanderError) return; // commander has printed its message already
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`minke: error: ${inFlagTerms(message.split('\n')[0] ?? '')}\n`);
    if (process.env['MINKE_DEBUG'] && error instanceof Error)
      process.stderr.write(`${error.stack}\n`);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)
      ? 0
      : 2;
  }
  if (error instanceof UsageError) return 2;
  // What the user typed names something that is not there or is not valid (a model, a host, a
  // filter, a value): a usage mistake, whether the project or a server found it.
  if (isMinkeError(error) && USAGE_CODES.has(error.code)) return 2;
  if (error instanceof RemoteError && error.code !== undefined && USAGE_CODES.has(error.code))
    return 2;
  return 1;
}

const USAGE_CODES: ReadonlySet<string> = new Set(['input', 'not_found']);
