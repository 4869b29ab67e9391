import type { Command } from 'commander';
import type { JobDetail, JobItem, JobSecretSource, NewJobBody } from '@minke/contract';
import { isMinkeError } from '../../errors.js';
import { UsageError } from '../cli-error.js';
import { cliOperator } from '../cli-operator.js';
import { stdoutOut, type Out } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';
import type { JobsSource } from '../remote/remote-jobs.js';
import { remoteTarget } from '../remote/remote-target.js';
import { localOrRemote } from '../local-or-remote.js';
import { addListCommand } from '../list-command.js';

interface CreateOptions {
  session: string;
  model?: string;
  where?: string;
  id?: string[];
  all?: boolean;
  data?: string[];
  secret?: string[];
  description?: string;
  cron?: string;
  tz?: string;
  end?: string;
  missed?: string;
  overlap?: string;
  disabled?: boolean;
  batch?: string;
  maxFail?: string;
  batchPause?: string;
  timeout?: string;
  runTimeout?: string;
  notify?: string[];
  json?: boolean;
}

/**
 * The jobs of the local project (as MINKE_CLI_USER, else the local operator), or with `--server`
 * those of a server, through its API as the token's user.
 */
const withJobs = localOrRemote<JobsSource>({
  remote: async (api) => (await import('../remote/remote-jobs.js')).remoteJobs(api),
  local: async (project) => (await import('./jobs-local.js')).localJobs(project, cliOperator()),
});

export function registerJobCommands(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  const jobs = program
    .command('jobs')
    .description(
      "saved jobs: a session, a selection kept as a query, form data and an optional schedule (with --server: that server's, as the token's user)",
    );

  addListCommand(jobs, globals, {
    description: 'list saved jobs with their schedules and next times',
    open: withJobs,
    read: (source) => source.list(),
    items: (list) => list,
    columns: ['NAME', 'SESSION', 'MODEL', 'SELECTION', 'SCHEDULE', 'NEXT'],
    row: (job) => [
      job.name,
      job.session,
      job.model,
      selectionText(job.selection),
      scheduleText(job),
      job.schedule?.nextTimes[0] ?? '',
    ],
  });

  jobs
    .command('show <name>')
    .description('a job: its definition, its schedule with the next five times, its newest ticks')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const out = stdoutOut();
      await withJobs(globals(), async (source) => {
        const job = await source.show(name);
        if (options.json) return out.json(job);
        // Imported here: the CLI's start path loads no module of the contract.
        const { timeLimitText } = await import('@minke/contract/time-limit');
        printJob(out, job, timeLimitText);
      });
    });

  jobs
    .command('create <name>')
    .description('save a job (secret form fields come from a credential, or are asked at launch)')
    .requiredOption('--session <session>', 'the session it runs')
    .option('--model <model>', 'the model, when the session works on several')
    .option('--where <expr>', 'objects that match at each launch, e.g. "name ~ web"')
    .option('--id <id...>', 'these record ids (host names for hosts)')
    .option('--all', 'every object of the model at each launch')
    .option('--data <key=value...>', "form data, typed by the session's form (no secrets)")
    .option(
      '--secret <field=source...>',
      'a secret form field: field=credential:NAME (read at each launch) or field=ask',
    )
    .option('--description <text>', 'what the job is for')
    .option('--cron <expr>', 'a schedule: 5 cron fields, or 6 with seconds first')
    .option('--tz <zone>', 'the time zone the cron expression is read in (default UTC)')
    .option('--end <date>', 'no tick after this date and time (ISO 8601)')
    .option('--missed <policy>', 'ticks missed while Minke was down: skip (default) or run-once')
    .option('--overlap <policy>', 'a tick while the last run still goes: skip (default) or queue')
    .option('--disabled', 'save the schedule switched off')
    .option(
      '--batch <size>',
      "each run in batches: a count (5) or a share of the run's objects (10%)",
    )
    .option('--max-fail <n>', 'with --batch: no new batch once more than this many failed (2, 5%)')
    .option('--batch-pause <seconds>', 'with --batch: wait this long between batches')
    .option(
      '--timeout <limit>',
      'a time limit per object for each run (90s, 30m, 2h): past it a session is stopped and fails',
    )
    .option(
      '--run-timeout <limit>',
      'a time limit for each run as a whole (90s, 30m, 2h): then what still runs stops and fails',
    )
    .option(
      '--notify <events=channel...>',
      "the job's own rules, e.g. run.failed,run.recovered=ops-mail (events: run.finished, run.failed, run.recovered, schedule.missed)",
    )
    .option('--json', 'print JSON')
    .action(async (name: string, options: CreateOptions) => {
      const out = stdoutOut();
      await withJobs(globals(), async (source) => {
        const body = await createBody(name, options, source);
        const job = await source.create(body);
        if (options.json) return out.json(job);
        out.line(`saved job ${job.name} (${job.session} on ${job.model})`);
        if (job.schedule) out.line(`next: ${job.schedule.nextTimes.join(', ') || 'never'}`);
      });
    });

  for (const enabled of [true, false]) {
    jobs
      .command(`${enabled ? 'enable' : 'disable'} <name>`)
      .description(`switch a job's schedule ${enabled ? 'on' : 'off'}`)
      .action(async (name: string) => {
        const out = stdoutOut();
        await withJobs(globals(), async (source) => {
          const job = await source.setEnabled(name, enabled);
          out.line(
            `${enabled ? 'enabled' : 'disabled'} the schedule of job ${job.name}${enabled ? `; next: ${job.schedule?.nextTimes[0] ?? 'never'}` : ''}`,
          );
        });
      });
  }

  jobs
    .command('delete <name>')
    .description('delete a job and its schedule (its runs stay)')
    .action(async (name: string) => {
      const out = stdoutOut();
      await withJobs(globals(), async (source) => {
        await source.delete(name);
        out.line(`deleted job ${name}`);
      });
    });

  jobs
    .command('run <name>')
    .description(
      'launch a job now: a run on its selection as it stands; waits for it here, or with --server starts it on that server',
    )
    .option('--data <key=value...>', 'values of the secret fields the job asks for at launch')
    .option('--json', 'print the outcome as JSON')
    .action(async (name: string, options: { data?: string[]; json?: boolean }) => {
      const out = stdoutOut();
      const remote = remoteTarget(globals());
      if (remote) {
        const { ApiClient } = await import('../remote/api-client.js');
        const { remoteJobs } = await import('../remote/remote-jobs.js');
        const { parseRunDataBySchema } = await import('../run-data.js');
        const launched = await remoteJobs(new ApiClient(remote)).launch(
          name,
          parseRunDataBySchema(options.data ?? [], undefined),
        );
        if (options.json) return out.json(launched);
        out.line(
          `launched job ${name}: run ${launched.runId} of ${launched.session} on ${launched.objects} object(s)`,
        );
        return;
      }
      const { runJobHere } = await import('./jobs-local.js');
      await withProject(globals(), {}, async (project) => {
        process.exitCode = await runJobHere(project, name, options.data ?? [], {
          json: options.json ?? false,
          out,
        }).catch((error: unknown) => {
          if (isMinkeError(error) && ['input', 'not_found'].includes(error.code))
            throw new UsageError(error.message);
          throw error;
        });
      });
    });
}

async function createBody(
  name: string,
  options: CreateOptions,
  source: JobsSource,
): Promise<NewJobBody> {
  const chosen = [options.id !== undefined, options.where !== undefined, options.all === true];
  if (chosen.filter(Boolean).length !== 1)
    throw new UsageError('select objects with exactly one of: --id, --where, --all');
  // The contract's schemas (zod) load when a job is made, not at every start of the CLI.
  const { jobSelection, newJobBody } = await import('./job-schemas.js');
  const { batchPolicyOf } = await import('../batch-flags.js');
  const selection = jobSelection.parse(
    options.where !== undefined
      ? { kind: 'where', where: options.where }
      : options.all
        ? { kind: 'all' }
        : { kind: 'ids', ids: (options.id ?? []).map((v) => (/^\d+$/.test(v) ? Number(v) : v)) },
  );
  const secrets: Record<string, JobSecretSource> = {};
  for (const pair of options.secret ?? []) {
    const at = pair.indexOf('=');
    const field = pair.slice(0, at);
    const value = pair.slice(at + 1);
    if (at <= 0 || !(value === 'ask' || value.startsWith('credential:')))
      throw new UsageError(`--secret "${pair}": write field=credential:NAME or field=ask`);
    secrets[field] = value === 'ask' ? 'ask' : { credential: value.slice('credential:'.length) };
  }
  for (const [flag, value, allowed] of [
    ['--missed', options.missed, ['skip', 'run-once']],
    ['--overlap', options.overlap, ['skip', 'queue']],
  ] as const) {
    if (value !== undefined && !(allowed as readonly string[]).includes(value))
      throw new UsageError(`${flag} ${value}: expected ${allowed.join(' or ')}`);
  }
  if (
    options.cron === undefined &&
    (options.tz ?? options.end ?? options.missed ?? options.overlap)
  )
    throw new UsageError('--tz, --end, --missed and --overlap go with --cron');
  const batch = batchPolicyOf(options);
  const { timeLimitFlag } = await import('../time-limit-flag.js');
  const timeoutMs = timeLimitFlag(options.timeout);
  const runTimeoutMs = timeLimitFlag(options.runTimeout, '--run-timeout');
  const notify = (options.notify ?? []).map((rule) => {
    const at = rule.lastIndexOf('=');
    if (at <= 0 || at === rule.length - 1)
      throw new UsageError(`--notify "${rule}": write events=channel, e.g. run.failed=ops-mail`);
    return { on: rule.slice(0, at).split(','), channel: rule.slice(at + 1) };
  });
  const body = {
    name,
    session: options.session,
    ...(batch ? { batch } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(runTimeoutMs === undefined ? {} : { runTimeoutMs }),
    ...(notify.length > 0 ? { notify } : {}),
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.description === undefined ? {} : { description: options.description }),
    selection,
    data: await source.parseData(options.session, options.data ?? []),
    secrets,
    ...(options.cron === undefined
      ? {}
      : {
          schedule: {
            cron: options.cron,
            ...(options.tz === undefined ? {} : { timezone: options.tz }),
            ...(options.end === undefined ? {} : { endAt: options.end }),
            ...(options.missed === undefined ? {} : { missed: options.missed }),
            ...(options.overlap === undefined ? {} : { overlap: options.overlap }),
            enabled: options.disabled !== true,
          },
        }),
  };
  const parsed = newJobBody.safeParse(body);
  if (!parsed.success)
    throw new UsageError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'job'}: ${i.message}`).join('; '),
    );
  return parsed.data;
}

function selectionText(selection: JobItem['selection']): string {
  if (selection.kind === 'where') return `where ${selection.where}`;
  if (selection.kind === 'ids') return `ids ${selection.ids.join(',')}`;
  return 'all';
}

function scheduleText(job: JobItem): string {
  const s = job.schedule;
  if (!s) return '';
  return `${s.cron} ${s.timezone}${s.enabled ? '' : ' (off)'}`;
}

function printJob(out: Out, job: JobDetail, timeLimitText: (ms: number) => string): void {
  out.line(`job ${job.name}${job.description ? `: ${job.description}` : ''}`);
  out.line(`session: ${job.session} on ${job.model}; selection: ${selectionText(job.selection)}`);
  if (Object.keys(job.data).length > 0) out.line(`data: ${JSON.stringify(job.data)}`);
  for (const [field, source] of Object.entries(job.secrets))
    out.line(
      `secret ${field}: ${source === 'ask' ? 'asked at launch' : `credential ${source.credential}`}`,
    );
  if (job.batch) out.line(`batch: ${JSON.stringify(job.batch)}`);
  if (job.timeoutMs !== null) out.line(`time limit: ${timeLimitText(job.timeoutMs)} per object`);
  if (job.runTimeoutMs !== null) out.line(`run limit: ${timeLimitText(job.runTimeoutMs)}`);
  for (const rule of job.notify) out.line(`notify: ${rule.on.join(',')} → ${rule.channel}`);
  const s = job.schedule;
  if (!s) out.line('schedule: none');
  else {
    out.line(
      `schedule: ${s.cron} (${s.timezone})${s.endAt ? ` until ${s.endAt}` : ''}, ${s.enabled ? 'enabled' : 'disabled'}; missed ticks: ${s.missed}; overlap: ${s.overlap}`,
    );
    out.line(`next: ${s.nextTimes.join(', ') || 'never'}`);
  }
  if (job.ticks.length > 0) {
    out.line('ticks:');
    out.table(
      ['TICK', 'OUTCOME', 'RUN', 'NOTE'],
      job.ticks.map((t) => [t.tickAt, t.outcome, t.runId ?? '', t.note]),
    );
  }
}
