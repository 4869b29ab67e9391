import type { Command } from 'commander';
import type { PolicyHostResult } from '@minke/contract';
import { UsageError } from '../cli-error.js';
import { stdoutOut } from '../output.js';
import type { GlobalOptions } from '../project-context.js';
import { localOrRemote } from '../local-or-remote.js';
import { addListCommand } from '../list-command.js';
import type { PoliciesSource } from '../remote/remote-policies.js';
import { readPages } from '../read-pages.js';
import { parseLimit } from '../count-flags.js';

/**
 * The policies of the local project (its files' policies synced first) or, with `--server`, a
 * server's through its API as the token's user. Both run the same operations.
 */
const withPolicies = localOrRemote<PoliciesSource>({
  remote: async (api) => (await import('../remote/remote-policies.js')).remotePolicies(api),
  local: async (project) => {
    const ops = await import('../../policies/policy-operations.js');
    /**
     * The policy as the API lists it, with its counts (`show --json`, `set`): the same JSON
     * as through a server, which never sends a policy's database id.
     */
    const summary = async (name: string) => {
      await ops.policyNamed(project, name); // the not-found error naming the policies
      const found = (await ops.listPolicies(project)).items.find((p) => p.name === name);
      if (!found) throw new Error(`policy ${name} is gone`);
      return found;
    };
    return {
      list: () => ops.listPolicies(project),
      show: summary,
      hosts: (name, query) => ops.policyHosts(project, name, query),
      history: (name, query) => ops.policyHistory(project, name, query),
      check: (query) => ops.checkPolicies(project, query),
      save: async (policy) => {
        await ops.savePolicy(project, policy);
        return summary(policy.name);
      },
      delete: (name) => ops.deletePolicy(project, name),
    };
  },
});

/**
 * `minke policies list|show|check|set|delete`: fact policies, their passing and failing hosts
 * with since when, and evaluation on demand. Policies listed in the project's files are synced
 * first; `set` and `delete` manage the ones made outside the project's files. Each works on the
 * local project or, with `--server`, through a server's API.
 */
export function registerPolicyCommands(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  const policies = program
    .command('policies')
    .description('fact policies: which hosts comply, since when, and checks on demand');

  addListCommand(policies, globals, {
    isDefault: true,
    description: 'every policy with how many hosts pass and fail it',
    open: withPolicies,
    read: (source) => source.list(),
    items: (list) => list.items,
    empty: 'no policies yet',
    columns: ['POLICY', 'PASSING', 'FAILING', 'FROM', 'WHERE'],
    row: (p) => [p.name, p.passing, p.failing, p.origin, p.where],
  });

  policies
    .command('show <policy>')
    .description("a policy's hosts, failing first, with since when they pass or fail")
    .option('--failing', 'failing hosts only')
    .option('--passing', 'passing hosts only')
    .option('--history', 'the changes, newest first, instead of the hosts')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(
      async (
        name: string,
        options: {
          failing?: boolean;
          passing?: boolean;
          history?: boolean;
          limit: string;
          json?: boolean;
        },
      ) => {
        const out = stdoutOut();
        if (options.failing && options.passing)
          throw new UsageError('give --failing or --passing, not both');
        const limit = parseLimit(options.limit);
        await withPolicies(globals(), async (source) => {
          if (options.history) {
            const page = await readPages({ limit, offset: 0 }, (window) =>
              source.history(name, window),
            );
            if (options.json) return out.json(page);
            out.table(
              ['AT', 'HOST', 'BECAME'],
              page.items.map((row) => [row.at, row.host, row.passing ? 'passing' : 'failing']),
            );
            return;
          }
          const policy = await source.show(name);
          const status = options.failing ? 'failing' : options.passing ? 'passing' : undefined;
          const page = await readPages({ limit, offset: 0 }, (window) =>
            source.hosts(name, { status, ...window }),
          );
          if (options.json) return out.json({ policy, hosts: page });
          out.line(`${policy.name}: ${policy.description || '(no description)'}`);
          out.line(`  where: ${policy.where}`);
          out.line(`  scope: ${policy.scope ?? 'every host'}`);
          printHosts(out, page.items);
          if (page.total > page.items.length)
            out.line(`(${page.total - page.items.length} more: --limit)`);
        });
      },
    );

  policies
    .command('check [policy]')
    .description('evaluate policies now (all, or one) and print the hosts that changed')
    .option('--host <name...>', 'these hosts only')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, options: { host?: string[]; json?: boolean }) => {
      const out = stdoutOut();
      await withPolicies(globals(), async (source) => {
        const outcome = await source.check({ policy: name, hosts: options.host });
        if (options.json) return out.json(outcome);
        out.line(
          `${outcome.policies} polic${outcome.policies === 1 ? 'y' : 'ies'}, ${outcome.evaluated} host evaluation(s), ${outcome.changed.length} change(s)`,
        );
        for (const change of outcome.changed)
          out.line(`  ${change.policy}: ${change.host} now ${change.passing ? 'passes' : 'fails'}`);
      });
    });

  policies
    .command('set <policy>')
    .description('create or replace a policy outside the project files (audited)')
    .requiredOption('--where <expr>', 'what a compliant host satisfies')
    .option('--scope <expr>', 'the hosts it applies to (default: every host)')
    .option('--description <text>', 'what it is for')
    .action(
      async (name: string, options: { where: string; scope?: string; description?: string }) => {
        const out = stdoutOut();
        await withPolicies(globals(), async (source) => {
          const saved = await source.save({
            name,
            where: options.where,
            scope: options.scope ?? null,
            description: options.description ?? '',
          });
          out.line(`policy ${name} saved; ${saved.failing} host(s) failing it`);
        });
      },
    );

  policies
    .command('delete <policy>')
    .description('delete a policy made with `set`, and its history (audited)')
    .action(async (name: string) => {
      const out = stdoutOut();
      await withPolicies(globals(), async (source) => {
        await source.delete(name);
        out.line(`policy ${name} deleted`);
      });
    });
}

function printHosts(out: ReturnType<typeof stdoutOut>, rows: readonly PolicyHostResult[]): void {
  if (rows.length === 0) return out.line('no hosts evaluated yet');
  out.table(
    ['HOST', 'STATUS', 'SINCE', 'CHECKED'],
    rows.map((row) => [row.host, row.passing ? 'passing' : 'FAILING', row.since, row.checkedAt]),
  );
}
