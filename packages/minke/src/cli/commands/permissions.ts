import type { Command } from 'commander';
import { stdoutOut } from '../output.js';
import type { Permission } from '@minke/contract';
import { withLocalOrRemote } from '../local-or-remote.js';
import { withProject, type GlobalOptions } from '../project-context.js';

export function registerPermissionCommands(program: Command): void {
  const permissions = program.command('permissions').description('model and session permissions');
  permissions
    .command('sync')
    .description('create the permissions of every model and session (migrate does this too)')
    .option('--prune', 'delete permissions the project no longer defines, and their grants')
    .action(async (options: { prune?: boolean }) => {
      const out = stdoutOut();
      const { projectPermissions } = await import('../../operations/permissions.js');
      await withProject(program.opts<GlobalOptions>(), {}, async (project) => {
        const wanted = projectPermissions(project.models, project.sessions);
        const { created, deleted } = await project.permissions.sync(wanted, {
          prune: options.prune ?? false,
        });
        for (const codename of created) out.line(`created permission ${codename}`);
        for (const codename of deleted) out.line(`deleted permission ${codename}`);
        out.line(
          `${wanted.length} permission(s) defined; ${created.length} created, ${deleted.length} deleted`,
        );
      });
    });
  permissions
    .command('list')
    .description('list permissions')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const out = stdoutOut();
      // The project's permissions or, with --server, a server's (`GET /api/permissions`,
      // superusers: the codenames `users grant` takes there).
      const list = await withLocalOrRemote<() => Promise<Permission[]>, Permission[]>(
        program.opts<GlobalOptions>(),
        {
          remote: (api) => () => api.get<Permission[]>('/api/permissions'),
          local: (project) => () => project.permissions.list(),
        },
        (read) => read(),
      );
      if (options.json) return out.json(list);
      out.table(
        ['CODENAME', 'NAME'],
        list.map((p) => [p.codename, p.name]),
      );
    });
}
