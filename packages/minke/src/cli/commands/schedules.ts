import type { Command } from 'commander';
import type { UpcomingTicks } from '@minke/contract';
import { UsageError } from '../cli-error.js';
import { stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';
import { remoteTarget } from '../remote/remote-target.js';

/** `minke schedules`: what the saved jobs' schedules run next ("what runs tonight"). */
export function registerScheduleCommand(program: Command): void {
  program
    .command('schedules')
    .description(
      "what the jobs' schedules run next, soonest first (with --server: that server's, as the token's user)",
    )
    .option('--hours <n>', 'how far ahead (default 24)', '24')
    .option('--json', 'print JSON')
    .action(async (options: { hours: string; json?: boolean }) => {
      const out = stdoutOut();
      if (!/^\d+$/.test(options.hours) || Number(options.hours) < 1 || Number(options.hours) > 744)
        throw new UsageError(`--hours ${options.hours}: expected a whole number from 1 to 744`);
      const hours = Number(options.hours);
      const globals = program.opts<GlobalOptions>();
      const remote = remoteTarget(globals);
      const print = (ticks: UpcomingTicks) => {
        if (options.json) return out.json(ticks);
        if (ticks.items.length === 0)
          return out.line(`nothing scheduled in the next ${hours} hour(s)`);
        out.table(
          ['AT', 'JOB', 'SESSION'],
          ticks.items.map((t) => [t.at, t.job, t.session]),
        );
        if (ticks.truncated) out.line('(more ticks follow: the list stops at 500)');
      };
      if (remote) {
        const { ApiClient } = await import('../remote/api-client.js');
        const { remoteJobs } = await import('../remote/remote-jobs.js');
        return print(await remoteJobs(new ApiClient(remote)).upcoming(hours));
      }
      const { localJobs } = await import('./jobs-local.js');
      await withProject(globals, {}, async (project) =>
        print(await (await localJobs(project, 'cli')).upcoming(hours)),
      );
    });
}
