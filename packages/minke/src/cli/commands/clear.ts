import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { stdoutOut } from '../output.js';
import type { ClearReply } from '@minke/contract';
import { withLocalOrRemote } from '../local-or-remote.js';
import type { GlobalOptions } from '../project-context.js';
import type { ClearSelection } from '../remote/remote-clear.js';

interface ClearOptions {
  model?: string;
  id?: string[];
  where?: string;
  all?: boolean;
  user?: string;
  json?: boolean;
}

/**
 * `minke clear --model M (--id ...|--where ...|--all) [--user NAME]`: the original's Clear. The
 * current session on each selected object stops showing as the user's in lists (the operator's,
 * without --user; through a server, the token user's); the history keeps every record.
 */
export function registerClearCommand(program: Command): void {
  program
    .command('clear')
    .description(
      "clear the current session of objects from a user's lists (history keeps every record)",
    )
    .requiredOption('--model <model>', 'the model of the objects')
    .option('--id <id...>', 'record ids (host names for hosts)')
    .option('--where <expr>', 'objects that match, e.g. "server.host.name = web-1"')
    .option('--all', 'every object of the model')
    .option(
      '--user <name>',
      "whose current sessions to clear (default: MINKE_CLI_USER, else the operator's own view)",
    )
    .option('--json', 'print the outcome as JSON')
    .action(async (options: ClearOptions) => {
      const chosen = [options.id !== undefined, options.where !== undefined, options.all === true];
      if (chosen.filter(Boolean).length !== 1)
        throw new UsageError('select objects with exactly one of: --id, --where, --all');
      const out = stdoutOut();
      const globals = program.opts<GlobalOptions>();
      const selection = {
        model: options.model as string,
        ids: options.id,
        where: options.where,
        all: options.all,
      };
      const username = options.user ?? process.env['MINKE_CLI_USER'];
      let viaServer = false;
      const outcome = await withLocalOrRemote<
        (selection: ClearSelection) => Promise<ClearReply>,
        ClearReply
      >(
        globals,
        {
          remote: async (api) => {
            // Through a server the sessions are the token user's own, as in the web admin.
            if (options.user !== undefined)
              throw new UsageError(
                "--user applies on the project; through a server it is the token's user",
              );
            viaServer = true;
            const { clearOnServer } = await import('../remote/remote-clear.js');
            return (chosen) => clearOnServer(api, chosen);
          },
          local: async (project) => {
            const { clearSessions } = await import('../../operations/clear-sessions.js');
            const { localOperator } = await import('../../operations/start-run.js');
            const user =
              username === undefined
                ? localOperator
                : await project.permissions.runUser(await project.users.get(username));
            return (chosen) => clearSessions(project, { ...chosen, user });
          },
        },
        (clear) => clear(selection),
      );
      const forWhom = viaServer || username === undefined ? '' : ` for ${username}`;
      if (options.json) return out.json(outcome);
      out.line(
        `cleared the current session of ${outcome.cleared} of ${outcome.selected} ${options.model} object(s)${forWhom}`,
      );
    });
}
