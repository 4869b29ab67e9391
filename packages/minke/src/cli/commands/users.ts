import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { localOrRemote } from '../local-or-remote.js';
import { addListCommand } from '../list-command.js';
import { stdoutOut } from '../output.js';
import { readPassword } from '../prompt.js';
import { withProject, type GlobalOptions } from '../project-context.js';
import type { UsersSource } from '../remote/remote-users.js';

/** The project's accounts or, with --server, a server's (its superusers may manage them). */
const withUsers = localOrRemote<UsersSource>({
  remote: async (api) => (await import('../remote/remote-users.js')).remoteUsers(api),
  // The account administration the API's user routes use: the same users, in the same JSON.
  local: async (project) => {
    const { UserAdmin } = await import('../../operations/user-admin.js');
    const admin = new UserAdmin(project.database);
    return {
      create: ({ username, password, superuser }) =>
        admin.create({ username, password, isSuperuser: superuser }),
      list: () => admin.list(),
      async remove(username) {
        await admin.remove((await project.users.get(username)).id);
      },
      async change(username, verb, codenames) {
        const user = await project.users.get(username);
        if (verb === 'grant') await project.permissions.grant(user.id, codenames);
        else await project.permissions.revoke(user.id, codenames);
      },
    };
  },
});

export function registerUserCommands(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  const users = program
    .command('users')
    .description('accounts for the web admin, the API and the CLI');
  users
    .command('create <username>')
    .description(
      'create a user; the password comes from a prompt or MINKE_PASSWORD, never from the command line',
    )
    .option('--superuser', 'may do everything')
    .option(
      '--first-admin',
      'only if the project has no superuser yet: make this one, with a random password printed once (first start)',
    )
    .action(async (username: string, options: { superuser?: boolean; firstAdmin?: boolean }) => {
      const out = stdoutOut();
      if (options.firstAdmin) {
        // A first start's own step: on the project, even with MINKE_SERVER_URL in the environment.
        if (globals().server !== undefined)
          throw new UsageError('--first-admin works on the local project only');
        await withProject(globals(), {}, async (project) => {
          if ((await project.users.list()).some((u) => u.isSuperuser)) return;
          const { randomBytes } = await import('node:crypto');
          const password = randomBytes(12).toString('base64url');
          await project.users.create({ username, password, superuser: true });
          out.line(`created superuser ${username}; its password, shown only now: ${password}`);
        });
        return;
      }
      const password = await readPassword();
      await withUsers(globals(), async (source) => {
        const user = await source.create({
          username,
          password,
          superuser: options.superuser ?? false,
        });
        out.line(`created ${user.isSuperuser ? 'superuser' : 'user'} ${user.username}`);
      });
    });
  addListCommand(users, globals, {
    description: 'list users',
    open: withUsers,
    read: (source) => source.list(),
    items: (list) => list,
    columns: ['USERNAME', 'SUPERUSER', 'ACTIVE', 'CREATED'],
    row: (u) => [u.username, u.isSuperuser ? 'yes' : '', u.isActive ? 'yes' : 'no', u.createdAt],
  });
  users
    .command('delete <username>')
    .description(
      'delete a user with their tokens and login sessions (their runs stay); not the last superuser',
    )
    .action(async (username: string) => {
      const out = stdoutOut();
      await withUsers(globals(), async (source) => {
        await source.remove(username);
        out.line(`deleted user ${username}`);
      });
    });
  for (const [verb, description] of [
    ['grant', 'give a user permissions (codenames from `minke permissions list`)'],
    ['revoke', 'take permissions from a user'],
  ] as const) {
    users
      .command(`${verb} <username> <permission...>`)
      .description(description)
      .action(async (username: string, codenames: string[]) => {
        const out = stdoutOut();
        await withUsers(globals(), async (source) => {
          await source.change(username, verb, codenames);
          out.line(
            `${verb === 'grant' ? 'granted' : 'revoked'} ${codenames.join(', ')} ${verb === 'grant' ? 'to' : 'from'} ${username}`,
          );
        });
      });
  }
}
