import type { Command } from 'commander';
import type { FactRecord } from '@minke/contract';
import { stdoutOut, type Out } from '../output.js';
import type { GlobalOptions } from '../project-context.js';
import { localOrRemote } from '../local-or-remote.js';
import type { FactsSource } from '../remote/remote-facts.js';
import { registerFactTrendCommands } from './fact-trends.js';
import { parseLimit } from '../count-flags.js';

/**
 * The facts of the local project's database or, with `--server`, a server's, read through its
 * API as the token's user (`view_host`). Both answer with the same records, printed below.
 */
const withFacts = localOrRemote<FactsSource>({
  remote: async (api) => (await import('../remote/remote-facts.js')).remoteFacts(api),
  local: async (project) => {
    const { AgentStore } = await import('../../facts/agent-store.js');
    const { FactStore } = await import('../../facts/fact-store.js');
    const agents = new AgentStore(project);
    const store = new FactStore(project.database, agents);
    return {
      async current(host, plugin) {
        // A host or an agent's node name: a node reports facts before its host is added.
        const agent = await agents.forHostOrNode(host);
        return { node: agent.node, facts: await store.current(agent.id, plugin) };
      },
      history: async (host, plugin, limit) =>
        store.history((await agents.forHostOrNode(host)).id, plugin, limit),
      // The operations the API runs, loaded by the command that needs one.
      series: async (query) =>
        (await import('../../facts/fact-series.js')).factSeries(project, query),
      changes: async (query) =>
        (await import('../../facts/fact-changes.js')).factChanges(project, query),
      distribution: async (query) =>
        (await import('../../facts/fact-distribution.js')).factDistribution(project, query),
    };
  },
});

/**
 * `minke facts HOST [--plugin P] [--json]`, `minke facts history HOST PLUGIN`, and facts over
 * time: `minke facts series|changes|distribution PLUGIN [PATH]`; each on the local project or,
 * with `--server`, through a server's API.
 */
export function registerFactCommands(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  const facts = program
    .command('facts')
    .description("what the agents reported: a host's current facts, and their history");

  facts
    .command('show <host>', { isDefault: true })
    .description(
      "the current facts of a host (or an agent's node name), per plugin (the default: `minke facts HOST`)",
    )
    .option('--plugin <name>', 'one plugin only')
    .option('--json', 'print JSON')
    .action(async (host: string, options: { plugin?: string; json?: boolean }) => {
      const out = stdoutOut();
      await withFacts(globals(), async (source) => {
        const { node, facts: records } = await source.current(host, options.plugin);
        if (options.json) return out.json(records);
        if (records.length === 0) {
          out.line(`no facts from ${node}${options.plugin ? ` for ${options.plugin}` : ''} yet`);
          return;
        }
        for (const record of records) printFact(out, record);
      });
    });

  facts
    .command('history <host> <plugin>')
    .description('the values a plugin reported on a host, newest first (a row per change)')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (host: string, plugin: string, options: { limit: string; json?: boolean }) => {
      const out = stdoutOut();
      const limit = parseLimit(options.limit);
      await withFacts(globals(), async (source) => {
        const records = await source.history(host, plugin, limit);
        if (options.json) return out.json(records);
        out.table(
          ['COLLECTED', 'REQUEST', 'VALUE'],
          records.map((record) => [
            record.collectedAt,
            record.requestId ?? '(interval)',
            oneLine(record.value),
          ]),
        );
      });
    });

  registerFactTrendCommands(facts, (work) => withFacts(globals(), work));
}

function printFact(out: Out, record: FactRecord): void {
  const from = record.requestId === null ? 'on its own schedule' : `request ${record.requestId}`;
  out.line(`${record.plugin} (${record.format}, collected ${record.collectedAt}, ${from})`);
  const value = record.value;
  const lines =
    typeof value === 'string'
      ? value.split('\n')
      : Array.isArray(value) && value.every((item) => typeof item === 'string')
        ? value
        : JSON.stringify(value, null, 2).split('\n');
  for (const line of lines) out.line(`  ${line}`);
}

function oneLine(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
