import type { Logger } from '../logger.js';
import type { Project } from '../operations/project.js';
import { evaluatePolicies } from './evaluate-policies.js';
import { notifyStartedFailing } from './notify-failing.js';
import { announcePolicyChanges } from './policy-hooks.js';
import { ensureProjectPolicies } from './project-policies.js';

/** The part of the agent gateway the watch uses: it tells of stored results. */
export interface StoredResultsSource {
  onStored(
    listener: (results: readonly { node: string }[], outcomes: readonly string[]) => void,
  ): () => void;
}

export interface PolicyWatch {
  /** Stops listening and waits for the evaluation under way. */
  close(): Promise<void>;
  /** Resolves when every evaluation asked for so far is done (tests). */
  idle(): Promise<void>;
}

/**
 * Evaluates the policies of the hosts whose facts changed, as the gateway stores results: one
 * evaluation at a time, the hosts that changed meanwhile gathered into the next one. A failure
 * is logged; the next change evaluates again.
 */
export function watchFactsForPolicies(
  project: Project,
  source: StoredResultsSource,
  logger: Logger,
): PolicyWatch {
  const pendingNodes = new Set<string>();
  let chain: Promise<void> = Promise.resolve();
  let scheduled = false;

  const evaluatePending = async (): Promise<void> => {
    scheduled = false;
    const nodes = [...pendingNodes];
    pendingNodes.clear();
    if (nodes.length === 0) return;
    const hostIds = await hostsOfNodes(project, nodes);
    if (hostIds.length === 0) return;
    await ensureProjectPolicies(project);
    const outcome = await evaluatePolicies(project, { hostIds });
    if (outcome.changed.length > 0)
      logger.info({ changed: outcome.changed.length }, 'policies: hosts changed standing');
    announcePolicyChanges(project, outcome.changed, (error) =>
      logger.warn({ err: error }, 'policies: a policy-failing listener threw'),
    );
    await notifyStartedFailing(project, logger, outcome.changed);
  };

  const stop = source.onStored((results, outcomes) => {
    results.forEach((result, index) => {
      if (outcomes[index] === 'stored') pendingNodes.add(result.node);
    });
    if (pendingNodes.size === 0 || scheduled) return;
    scheduled = true;
    chain = chain
      .then(evaluatePending)
      .catch((error: unknown) => logger.warn({ err: error }, 'policies: evaluation failed'));
  });

  return {
    async close() {
      stop();
      await chain;
    },
    idle: () => chain,
  };
}

async function hostsOfNodes(project: Project, nodes: readonly string[]): Promise<number[]> {
  const out = new Set<number>();
  for (let i = 0; i < nodes.length; i += 500) {
    const rows = await project.database.tables
      .selectFrom('minke_agents')
      .select('host_id')
      .where('node', 'in', nodes.slice(i, i + 500))
      .where('host_id', 'is not', null)
      .execute();
    for (const row of rows) if (row.host_id !== null) out.add(row.host_id);
  }
  return [...out];
}
