import type { Command } from 'commander';
import { stdoutOut } from '../output.js';
import { addListCommand } from '../list-command.js';
import { localOrRemote } from '../local-or-remote.js';
import type { GlobalOptions } from '../project-context.js';
import type { AgentListing, AgentsSource } from '../remote/remote-agents.js';
import { UsageError } from '../cli-error.js';
import { parseCount, parseLimit } from '../count-flags.js';

/** The project's agents or, with --server, a server's (viewing: view_host; enrolling: superusers). */
const withAgents = localOrRemote<AgentsSource>({
  remote: async (api) => (await import('../remote/remote-agents.js')).remoteAgents(api),
  local: async (project) => {
    const { AgentStore } = await import('../../facts/agent-store.js');
    return {
      list: async (listing = {}) =>
        (
          await new AgentStore(project).page({
            online: listing.online,
            search: listing.search,
            limit: listing.limit ?? Number.MAX_SAFE_INTEGER,
            offset: listing.offset ?? 0,
          })
        ).items,
      async enroll(node, options) {
        const { prepareEnrolment, enrollmentReply } = await import('../../facts/enroll-agent.js');
        return enrollmentReply(await prepareEnrolment(project, { node, ...options }));
      },
    };
  },
});

interface EnrollOptions {
  out: string;
  brokerUrl?: string;
  spoolBase?: string;
}

/** `minke agents enroll` and `minke agents list`. */
export function registerAgentCommands(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  const agents = program
    .command('agents')
    .description('the agents on your nodes: enrol them, see who is online');

  agents
    .command('enroll <node>')
    .description(
      "enrol (or re-enrol) a node's agent: write its config file (broker, credentials, the server's public key), mode 600",
    )
    .requiredOption(
      '--out <file>',
      'where to write the agent config (then: minke-agent run --config FILE)',
    )
    .option(
      '--broker-url <url>',
      'the broker as the agent reaches it (default: from the project settings)',
    )
    .option(
      '--spool-base <dir>',
      "the folder on the node that holds the agents' spools; this agent gets <dir>/<node> (default: /var/lib/minke-agent)",
    )
    .action(async (node: string, options: EnrollOptions) => {
      const out = stdoutOut();
      // Enrolled on the project or, with --server, by a server (superusers); either way the
      // config, with the agent's broker password, is written here, mode 600, and never printed.
      const enrolled = await withAgents(globals(), (source) =>
        source.enroll(node, { brokerUrl: options.brokerUrl, spoolBase: options.spoolBase }),
      );
      const { writeAgentConfig } = await import('../../facts/agent-config-file.js');
      const file = await writeAgentConfig(options.out, enrolled.config);
      out.line(`enrolled ${enrolled.node}: agent config written to ${file} (mode 600)`);
      out.line(
        enrolled.hostName === null
          ? `  no host named ${enrolled.node} yet: its facts attach to that host once it exists`
          : `  host: ${enrolled.hostName}`,
      );
      out.line(`  broker: ${enrolled.brokerUrl}`);
      if (enrolled.brokerFingerprint !== null) {
        out.line(`  broker certificate (pinned): SHA-256 ${enrolled.brokerFingerprint}`);
      }
      out.line(`  spool: ${enrolled.spoolDir}`);
      if (enrolled.externalBroker) {
        out.line(
          `  the broker is external: give it the user ${enrolled.node} with the password from ${file} (see docs/agents.md)`,
        );
      }
    });

  // The project's agents or, with --server, a server's (view_host), printed the same.
  addListCommand(agents, globals, {
    description: 'enrolled agents, online or offline, with their host and plugins',
    options: [
      ['--online', 'only the agents online now'],
      ['--offline', 'only the agents offline now'],
      ['--search <text>', 'only those whose node or host name holds this, in any case'],
      ['--limit <n>', 'how many (default: every match)'],
      ['--offset <n>', 'skip this many'],
    ],
    open: withAgents,
    read: (source, options: AgentListFlags) => source.list(agentListingOf(options)),
    items: (list) => list,
    empty: (options) =>
      narrowed(agentListingOf(options))
        ? 'no agents match (leave out --online, --offline, --search and --offset to list them all)'
        : 'no agents: enrol one with `minke agents enroll NODE --out FILE`',
    columns: ['NODE', 'HOST', 'STATE', 'VERSION', 'PLUGINS', 'LAST SEEN'],
    row: (agent) => [
      agent.node,
      agent.hostName,
      agent.online ? 'online' : 'offline',
      agent.agentVersion,
      agent.plugins.map((plugin) => plugin.name).join(',') +
        (agent.rejected.length > 0 ? ` (${agent.rejected.length} rejected)` : ''),
      agent.lastSeen ?? 'never',
    ],
  });
}

interface AgentListFlags {
  online?: boolean;
  offline?: boolean;
  search?: string;
  limit?: string;
  offset?: string;
}

/** The agents `agents list` asks for; both presences at once, or a bad number, is a usage error. */
function agentListingOf(flags: AgentListFlags): AgentListing {
  if (flags.online && flags.offline)
    throw new UsageError('--online and --offline exclude each other: leave both out for all');
  return {
    ...(flags.online ? { online: true } : flags.offline ? { online: false } : {}),
    ...(flags.search === undefined ? {} : { search: flags.search }),
    ...(flags.limit === undefined ? {} : { limit: parseLimit(flags.limit) }),
    ...(flags.offset === undefined ? {} : { offset: parseCount(flags.offset, '--offset') }),
  };
}

/** Whether the listing leaves agents out: then an empty list is not an empty fleet. */
function narrowed(listing: AgentListing): boolean {
  return listing.online !== undefined || listing.search !== undefined || (listing.offset ?? 0) > 0;
}
