import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { localOrRemote } from '../local-or-remote.js';
import { addListCommand } from '../list-command.js';
import { stdoutOut } from '../output.js';
import type { GlobalOptions } from '../project-context.js';
import type { TokensSource } from '../remote/remote-tokens.js';

/** The project's tokens or, with --server, a server's as the token's user (its own, or all). */
const withTokens = localOrRemote<TokensSource>({
  remote: async (api) => (await import('../remote/remote-tokens.js')).remoteTokens(api),
  local: async (project) => {
    const { ApiTokenStore } = await import('../../auth/api-token-store.js');
    const store = new ApiTokenStore(project.database);
    const idOf = async (user: string | undefined) =>
      user === undefined ? undefined : (await project.users.get(user)).id;
    return {
      async create({ user, name }) {
        if (user === undefined) throw new UsageError('--user: name the user whose token it is');
        return store.create({ userId: (await project.users.get(user)).id, name });
      },
      list: async ({ user }) => store.list({ userId: await idOf(user) }),
      revoke: (id) => store.revoke(id),
    };
  },
});

export function registerTokenCommands(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  const tokens = program
    .command('tokens')
    .description('API tokens for scripts and the CLI (Authorization: Bearer TOKEN)');
  tokens
    .command('create')
    .description('create a token for a user and print it: it is shown this once, and stored hashed')
    .option('--user <username>', 'the user the token acts as (with --server: yourself by default)')
    .option('--name <label>', 'what the token is for', 'token')
    .action(async (options: { user?: string; name: string }) => {
      const out = stdoutOut();
      await withTokens(globals(), async (source) => {
        const created = await source.create({ user: options.user, name: options.name });
        // The token alone on stdout, so that `TOKEN=$(minke tokens create ...)` works.
        out.line(created.token);
        process.stderr.write(
          `created token ${created.id} (${created.name}) for ${created.username}; it is not shown again\n`,
        );
      });
    });
  addListCommand(tokens, globals, {
    description: 'list tokens (never the tokens themselves)',
    options: [['--user <username>', "only this user's tokens"]],
    open: withTokens,
    read: (source, options: { user?: string }) => source.list({ user: options.user }),
    items: (list) => list,
    columns: ['ID', 'USER', 'NAME', 'CREATED', 'LAST USED', 'REVOKED'],
    row: (t) => [t.id, t.username, t.name, t.createdAt, t.lastUsed ?? '', t.revoked ? 'yes' : ''],
  });
  tokens
    .command('revoke <id>')
    .description('revoke a token: it stops working at once')
    .action(async (id: string) => {
      const out = stdoutOut();
      if (!/^\d+$/.test(id)) throw new UsageError(`token id "${id}": expected a whole number`);
      await withTokens(globals(), async (source) => {
        const token = await source.revoke(Number(id));
        out.line(`revoked token ${token.id} (${token.name}) of ${token.username}`);
      });
    });
}
