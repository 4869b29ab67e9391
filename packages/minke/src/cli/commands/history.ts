import { styleText } from 'node:util';
import type { Command } from 'commander';
import { addTimeRange, timeRangeOf, type TimeRangeFlags } from '../time-range.js';
import type { Project } from '../../operations/project.js';
import type {
  HistoryCommand,
  HistoryQuery,
  ObjectRef,
  SessionRecordDetail,
  SessionRecordItem,
} from '../../runs/history.js';
import type { Page } from '../../records/record-repository.js';
import { UsageError } from '../cli-error.js';
import { parseId } from '../count-flags.js';
import { stdoutOut, type Out } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';
import { remoteTarget } from '../remote/remote-target.js';
import { readPages } from '../read-pages.js';
import { addPageFlags, nextPageLine, pageWindowOf } from '../page-flags.js';

/** `minke history` flags, as commander hands them over (text). */
export interface HistoryListOptions extends TimeRangeFlags {
  object?: string | undefined;
  session?: string | undefined;
  status?: string | undefined;
  model?: string | undefined;
  run?: string | undefined;
  user?: string | undefined;
  limit?: string | undefined;
  offset?: string | undefined;
  json?: boolean | undefined;
}

export interface HistoryPurgeOptions {
  olderThan?: string | undefined;
  yes?: boolean | undefined;
  includeActive?: boolean | undefined;
}

/** How `history purge` asks for confirmation: only at a terminal. */
export interface Confirmation {
  readonly interactive: boolean;
  ask(question: string): Promise<string>;
}

type Color = Parameters<typeof styleText>[0];

const RESULT_COLORS: Record<string, Color> = { success: 'green', warning: 'yellow', error: 'red' };
const RESULT_BACKGROUNDS: Record<string, Color> = {
  success: 'bgGreen',
  warning: 'bgYellow',
  error: 'bgRed',
};
/** Width of the underline that separates messages, as the original's `prnt`. */
const UNDERLINE_WIDTH = 60;

export function registerHistoryCommands(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  const history = program
    .command('history')
    .description('sessions that ran: on which object, how they ended, their messages and commands');

  const list = history
    .command('list', { isDefault: true })
    .description('list session records, newest first (the default: `minke history`)')
    .option(
      '--object <ref>',
      'one object (MODEL:ID, e.g. Server:3) or every object of a host (NAME)',
    )
    .option('--session <name>', 'one session (its class name)')
    .option(
      '--status <status>',
      'a result (success, warning, error: failed, not stopped), a process state (initialized, running, completed, stopping, stopped (with canceled), canceled, failed), waiting or done',
    )
    .option('--model <model>', 'sessions run on objects of one model')
    .option('--run <id>', 'the records of one run')
    .option('--user <username>', 'sessions a user ran');
  addPageFlags(addTimeRange(list, { what: 'created' }), '50')
    .option('--json', 'print JSON')
    .action((options: HistoryListOptions) => listHistory(globals(), options, stdoutOut()));

  history
    .command('show <id>')
    .description('one session record: its state, messages and commands')
    .option('--json', 'print JSON')
    .action((id: string, options: { json?: boolean }) =>
      showHistoryRecord(globals(), id, options, stdoutOut()),
    );

  history
    .command('output <id>')
    .description(
      "write one command's full output to stdout, also when the record keeps only its head and tail",
    )
    .option(
      '--command <n>',
      'which command of the record, counting from 1 (needed when it has several)',
    )
    .option('--stderr', 'its stderr instead of its stdout')
    .action((id: string, options: HistoryOutputOptions) =>
      writeFullOutput(globals(), id, options, process.stdout),
    );

  history
    .command('purge')
    .description('delete session records (with their messages and commands) older than an age')
    .requiredOption('--older-than <age>', 'an age: 12h, 30d, 2w, 6m (months) or 1y')
    .option('--yes', 'do not ask for confirmation (needed when not at a terminal)')
    .option('--include-active', 'also delete old records still waiting, running or stopping')
    .action((options: HistoryPurgeOptions) =>
      purgeHistory(globals(), options, stdoutOut(), terminalConfirmation()),
    );
}

/** `minke history [list]`: the table (or JSON) of session records that match the flags. */
export async function listHistory(
  globals: GlobalOptions,
  options: HistoryListOptions,
  out: Out,
): Promise<void> {
  const { SessionHistory, checkStatusFilter } = await import('../../runs/history.js');
  const query: HistoryQuery = {
    object: options.object === undefined ? undefined : parseObjectOption(options.object),
    session: options.session,
    status: options.status === undefined ? undefined : checkStatusFilter(options.status),
    runId: options.run === undefined ? undefined : parseId(options.run, '--run'),
    ...timeRangeOf(options),
  };
  // `--limit` is the user's: read in as many pages as it takes, on the project and through a server.
  const window = pageWindowOf({ limit: options.limit ?? '50', offset: options.offset ?? '0' });
  const remote = remoteTarget(globals);
  if (remote) {
    const { remoteHistoryPage } = await import('../remote/remote-history.js');
    const { ApiClient } = await import('../remote/api-client.js');
    const client = new ApiClient(remote);
    const page = await readPages(window, (page) =>
      remoteHistoryPage(client, {
        ...query,
        model: options.model,
        username: options.user,
        ...page,
      }),
    );
    printHistoryPage(out, page, options.json);
    return;
  }
  await withProject(globals, {}, async (project) => {
    await endRunsOfGoneProcesses(project);
    if (options.model !== undefined) query.model = modelName(project, options.model);
    if (query.object && 'model' in query.object)
      query.object = { ...query.object, model: modelName(project, query.object.model) };
    if (options.user !== undefined) query.user = (await project.users.get(options.user)).id;
    const history = new SessionHistory(project.database);
    const page = await readPages(window, (page) => history.list({ ...query, ...page }));
    printHistoryPage(out, page, options.json);
  });
}

/**
 * Sessions of a `minke run` (or `minke start`) that was killed would read `running` until a
 * server next looked: end them first, so the history says what happened. A failure here does not
 * stop the listing; it is said on stderr.
 */
async function endRunsOfGoneProcesses(project: Project): Promise<void> {
  const { endOrphanedRuns } = await import('../../runtime/end-orphaned-runs.js');
  const { silentLogger } = await import('../../logger.js');
  await endOrphanedRuns(project, silentLogger).catch((error: unknown) => {
    process.stderr.write(
      `minke: could not end the runs of processes that are gone: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  });
}

function printHistoryPage(
  out: Out,
  page: Page<SessionRecordItem>,
  json: boolean | undefined,
): void {
  if (json) return out.json(page);
  if (page.items.length === 0) {
    out.line(page.total === 0 ? 'no session records' : `no session records past ${page.offset}`);
    return;
  }
  printTable(
    out,
    ['ID', 'WHEN', 'SESSION', 'OBJECT', 'HOST', 'USER', 'STATE', 'RESULT', 'TIME'],
    page.items.map((item) => [
      { text: String(item.id) },
      { text: when(item.createdAt) },
      { text: item.session },
      { text: truncate(objectText(item), 50) },
      { text: item.hostName ?? '' },
      { text: item.username ?? '' },
      { text: item.processState },
      { text: item.result ?? '', color: item.result ? RESULT_COLORS[item.result] : undefined },
      { text: item.durationMs === null ? '' : `${(item.durationMs / 1000).toFixed(1)}s` },
    ]),
  );
  const next = nextPageLine(page);
  if (next) out.line(next);
}

/** `minke history show ID`: the record's header, then its messages and commands. */
export async function showHistoryRecord(
  globals: GlobalOptions,
  idText: string,
  options: { json?: boolean | undefined },
  out: Out,
): Promise<void> {
  const id = parseId(idText, 'the session record id');
  const remote = remoteTarget(globals);
  const record = remote
    ? await (
        await import('../remote/remote-history.js')
      ).remoteHistoryRecord(new (await import('../remote/api-client.js')).ApiClient(remote), id)
    : await withProject(globals, {}, async (project) => {
        await endRunsOfGoneProcesses(project);
        const { SessionHistory } = await import('../../runs/history.js');
        return new SessionHistory(project.database).get(id);
      });
  if (options.json) return out.json(record);
  printRecord(out, record);
}

export interface HistoryOutputOptions {
  command?: string | undefined;
  stderr?: boolean | undefined;
}

/**
 * `minke history output ID [--command N] [--stderr]`: the full text, streamed from the project's
 * output store (or the server with --server), byte for byte as the command wrote it.
 */
export async function writeFullOutput(
  globals: GlobalOptions,
  idText: string,
  options: HistoryOutputOptions,
  destination: NodeJS.WritableStream,
): Promise<void> {
  const id = parseId(idText, 'the session record id');
  const stream = options.stderr ? 'stderr' : 'stdout';
  const asked = options.command === undefined ? undefined : parseId(options.command, '--command');
  const { pipeline } = await import('node:stream/promises');
  const remote = remoteTarget(globals);
  if (remote) {
    const { remoteHistoryRecord } = await import('../remote/remote-history.js');
    const { ApiClient } = await import('../remote/api-client.js');
    const { Readable } = await import('node:stream');
    const client = new ApiClient(remote);
    const position = commandPosition(await remoteHistoryRecord(client, id), asked);
    const { outputDownloadPath } = await import('../../runs/history.js');
    const response = await client.open(
      outputDownloadPath(id, position, stream),
      new AbortController().signal,
      'text/plain',
    );
    if (!response.body) return;
    await pipeline(Readable.fromWeb(response.body as never), destination, { end: false });
    return;
  }
  await withProject(globals, {}, async (project) => {
    const { SessionHistory } = await import('../../runs/history.js');
    const { openFullOutput } = await import('../../runs/full-output.js');
    const position = commandPosition(await new SessionHistory(project.database).get(id), asked);
    const output = await openFullOutput(project.database, id, position, stream);
    await pipeline(output.body, destination, { end: false });
  });
}

/** The command asked for, or the record's only one. */
function commandPosition(record: SessionRecordDetail, asked: number | undefined): number {
  const count = record.commands.length;
  if (count === 0) throw new UsageError(`session record ${record.id} ran no commands`);
  if (asked === undefined) {
    if (count === 1) return 1;
    throw new UsageError(
      `session record ${record.id} ran ${count} commands: say which with --command N (1 to ${count})`,
    );
  }
  if (asked > count)
    throw new UsageError(
      `--command ${asked}: session record ${record.id} ran ${count} command${count === 1 ? '' : 's'} (1 to ${count})`,
    );
  return asked;
}

/** `minke history purge --older-than AGE`: asks first at a terminal; elsewhere needs --yes. */
export async function purgeHistory(
  globals: GlobalOptions,
  options: HistoryPurgeOptions,
  out: Out,
  confirmation: Confirmation,
): Promise<void> {
  if (options.olderThan === undefined)
    throw new UsageError('history purge needs --older-than AGE (12h, 30d, 2w, 6m or 1y)');
  if (remoteTarget(globals))
    throw new UsageError('history purge works on the local project only, not through --server');
  const { parseAge } = await import('../../runs/purge-age.js');
  const cutoff = parseAge(options.olderThan);
  if (!options.yes && !confirmation.interactive) {
    throw new UsageError(
      'history purge deletes session records for good and there is no terminal to ask: add --yes',
    );
  }
  const { SessionHistory } = await import('../../runs/history.js');
  await withProject(globals, {}, async (project) => {
    const history = new SessionHistory(project.database);
    const purgeOptions = { includeActive: options.includeActive ?? false };
    const before = `created before ${when(cutoff.toISOString())} UTC`;
    if (!options.yes) {
      const count = await history.purgeable(cutoff, purgeOptions);
      if (count === 0) {
        out.line(`no session records ${before}`);
        return;
      }
      const answer = await confirmation.ask(
        `Delete ${count} session record(s) ${before}, with their messages and commands? [y/N] `,
      );
      if (!/^y(es)?$/i.test(answer.trim())) {
        out.line('nothing deleted');
        return;
      }
    }
    const deleted = await history.purge(cutoff, purgeOptions);
    out.line(`deleted ${deleted} session record(s) ${before}`);
  });
}

/** `Server:3` is one object; anything without a colon is a host name. */
export function parseObjectOption(text: string): ObjectRef {
  const value = text.trim();
  const colon = value.indexOf(':');
  if (colon === -1 && value !== '') return { host: value };
  const model = value.slice(0, colon);
  const id = value.slice(colon + 1);
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(model) || !/^\d+$/.test(id) || Number(id) < 1) {
    throw new UsageError(
      `--object "${text}": use MODEL:ID for one object (Server:3) or a host name (web-1)`,
    );
  }
  return { model, id: Number(id) };
}

/** A model's name as the project spells it (`server` → `Server`); unknown names stay as given. */
function modelName(project: Project, name: string): string {
  if (project.models.models.has(name)) return name;
  const lower = name.toLowerCase();
  return [...project.models.models.keys()].find((known) => known.toLowerCase() === lower) ?? name;
}

function printRecord(out: Out, record: SessionRecordDetail): void {
  const field = (label: string, value: string) => out.line(`${`${label}:`.padEnd(10)}${value}`);
  field('id', String(record.id));
  field('session', `${record.session} (${record.verboseName})`);
  field('object', objectText(record));
  field('host', record.hostName ?? '');
  field('run', String(record.runId));
  field('user', record.username ?? '');
  field('state', `${record.processState}: ${record.procInfo}`);
  field('result', record.result ?? '');
  field('created', record.createdAt);
  field('started', record.startedAt ?? '');
  field('finished', record.finishedAt ?? '');
  if (
    record.data !== null &&
    typeof record.data === 'object' &&
    Object.keys(record.data).length > 0
  )
    field('data', JSON.stringify(record.data));
  out.line();
  // The original's `prnt`: the status, then every line of every message under its level.
  const status = (record.result ?? record.processState).toUpperCase().padEnd(7);
  const background = record.result ? RESULT_BACKGROUNDS[record.result] : undefined;
  out.line(`${paint(out, status, background)}: ${objectText(record)}`);
  record.messages.forEach((message, index) => {
    const level = paint(out, message.level.padEnd(7), RESULT_COLORS[levelResult(message.level)]);
    const lines = message.text.split('\n');
    lines.forEach((line, i) => {
      const separate = out.color && i === lines.length - 1 && index < record.messages.length - 1;
      out.line(
        `${level}: ${separate ? paint(out, line.padEnd(UNDERLINE_WIDTH), 'underline') : line}`,
      );
    });
  });
  if (record.commands.length === 0) return;
  out.line();
  out.line('commands:');
  record.commands.forEach((command, index) => {
    out.line(paint(out, `$ ${command.command}`, 'bold'));
    const exit =
      command.exitCode !== null
        ? `exit code ${command.exitCode}`
        : command.timedOut
          ? 'timed out'
          : command.killed
            ? 'killed'
            : `ended by signal ${command.signal ?? 'unknown'}`;
    out.line(`  ${exit}, ${(command.durationMs / 1000).toFixed(1)} seconds`);
    printOutput(out, 'stdout', command.stdout);
    printOutput(out, 'stderr', command.stderr);
    printCut(out, record.id, index + 1, command);
  });
}

/** Says what a command's stored output leaves out, and the command that gives all of it. */
function printCut(out: Out, recordId: number, position: number, command: HistoryCommand): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const cut = command.outputCut?.[stream];
    if (!cut) continue;
    const left = `${cut.droppedLines.toLocaleString('en')} lines (${cut.droppedBytes.toLocaleString('en')} bytes) of ${cut.totalLines.toLocaleString('en')} lines (${cut.totalBytes.toLocaleString('en')} bytes)`;
    const how = cut.stored
      ? `full ${stream}: minke history output ${recordId} --command ${position}${stream === 'stderr' ? ' --stderr' : ''}`
      : `the full ${stream} was not stored: ${cut.storeError ?? 'unknown reason'}`;
    out.line(`  ${stream} truncated: ${left} left out; ${how}`);
  }
}

function printOutput(out: Out, label: string, text: string): void {
  if (text === '') return;
  out.line(`  ${label}:`);
  for (const line of text.replace(/\n$/, '').split('\n')) out.line(`    ${line}`);
}

interface Cell {
  text: string;
  color?: Color | undefined;
}

/** A table like `Out.table`, but a cell may be coloured (padding is measured on the plain text). */
function printTable(out: Out, headers: string[], rows: Cell[][]): void {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => row[i]?.text.length ?? 0)),
  );
  const render = (cells: Cell[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - cell.text.length));
        return paint(out, cell.text, cell.color) + pad;
      })
      .join('  ')
      .trimEnd();
  out.line(paint(out, render(headers.map((text) => ({ text }))), 'bold'));
  for (const row of rows) out.line(render(row));
}

/** Styled only when the output is a terminal that takes colours. */
function paint(out: Out, text: string, color: Color | undefined): string {
  // The Out has decided already (terminal, NO_COLOR); styleText would check stdout again.
  return out.color && color && text !== ''
    ? styleText(color, text, { validateStream: false })
    : text;
}

function levelResult(level: string): string {
  return level === 'info' ? 'success' : level;
}

function objectText(item: SessionRecordItem): string {
  return `${item.objectLabel} (${item.model}:${item.objectId})`;
}

/** An ISO time as `2026-03-31 12:34:56` (UTC, as stored). */
function when(iso: string): string {
  return iso.slice(0, 19).replace('T', ' ');
}

function truncate(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 3)}...` : text;
}

/** Confirmation at the terminal this process runs in: only when stdin and stdout are one. */
export function terminalConfirmation(): Confirmation {
  return {
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    async ask(question) {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}
