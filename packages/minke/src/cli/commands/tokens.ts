import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';

export function registerTokenCommands(program: Command): void {
  const tokens = program
    .command('tokens')
    .description('API tokens for scripts and the CLI (Authorization: Bearer TOKEN)');
  tokens
    .command('create')
    .description('create a token for a user and print it: it is shown this once, and stored hashed')
    .requiredOption('--user <username>', 'the user the token acts as')
    .option('--name <label>', 'what the token is for', 'token')
    .action(async (options: { user: string; name: string }) => {
      const out = stdoutOut();
      const { ApiTokenStore } = await import('../../auth/api-token-store.js');
      await withProject(program.opts<GlobalOptions>(), {}, async (project) => {
        const user = await project.users.get(options.user);
        const created = await new ApiTokenStore(project.database).create({
          userId: user.id,
          name: options.name,
        });
        // The token alone on stdout, so that `TOKEN=$(minke tokens create ...)` works.
        out.line(created.token);
        process.stderr.write(
          `created token ${created.id} (${created.name}) for ${user.username}; it is not shown again\n`,
        );
      });
    });
  tokens
    .command('list')
    .description('list tokens (never the tokens themselves)')
    .option('--user <username>', "only this user's tokens")
    .option('--json', 'print JSON')
    .action(async (options: { user?: string; json?: boolean }) => {
      const out = stdoutOut();
      const { ApiTokenStore } = await import('../../auth/api-token-store.js');
      await withProject(program.opts<GlobalOptions>(), {}, async (project) => {
        const userId =
          options.user === undefined ? undefined : (await project.users.get(options.user)).id;
        const list = await new ApiTokenStore(project.database).list({ userId });
        if (options.json) return out.json(list);
        out.table(
          ['ID', 'USER', 'NAME', 'CREATED', 'LAST USED', 'REVOKED'],
          list.map((t) => [
            t.id,
            t.username,
            t.name,
            t.createdAt,
            t.lastUsed ?? '',
            t.revoked ? 'yes' : '',
          ]),
        );
      });
    });
  tokens
    .command('revoke <id>')
    .description('revoke a token: it stops working at once')
    .action(async (id: string) => {
      const out = stdoutOut();
      if (!/^\d+$/.test(id)) throw new UsageError(`token id "${id}": expected a whole number`);
      const { ApiTokenStore } = await import('../../auth/api-token-store.js');
      await withProject(program.opts<GlobalOptions>(), {}, async (project) => {
        const token = await new ApiTokenStore(project.database).revoke(Number(id));
        out.line(`revoked token ${token.id} (${token.name}) of ${token.username}`);
      });
    });
}
