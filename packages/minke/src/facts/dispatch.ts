import { auditedTransaction } from '../audit/audit-log.js';
import { pluginNameProblem } from '@minke/protocol/names';
import { InputError, NotFoundError } from '../errors.js';
import type { Project } from '../operations/project.js';
import type { Filter } from '../query/filter.js';
import { parseWhere } from '../query/parse-where.js';
import { AgentStore } from './agent-store.js';
import { RequestStore, type RequestSelection } from './request-store.js';
import { waitForRequestStatus, type NodeOutcome, type WaitOptions } from './request-wait.js';

export type { NodeOutcome, WaitOptions };
import { loadSigningKey, type ServerSigningKey } from './signing-key.js';

export interface DispatchInput {
  plugin: string;
  /** Node names (a host name works too when the host has an agent). */
  nodes?: readonly string[] | undefined;
  all?: boolean | undefined;
  /** A filter on hosts (`--where`), facts included: `facts.os.release = "12"`. */
  where?: string | Filter | undefined;
  /** How long the request waits for offline nodes. Default 1 hour (at most 7 days). */
  ttlMs?: number | undefined;
  createdBy?: string | null | undefined;
}

export interface DispatchedRequest {
  id: string;
  plugin: string;
  nodes: string[];
  /** Hosts the selection matched that have no agent. */
  skipped: string[];
  expiresAt: string;
}

export interface DispatchServices {
  project: Project;
  /** Loaded once per process; loaded here when absent. */
  signingKey?: ServerSigningKey;
  /** The gateway of this process, if it runs one: publishes at once instead of at its next poll. */
  gateway?: { kick(): void } | undefined;
}

const MAX_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Records a signed request to run `plugin` on the chosen nodes: the one way a request is made
 * (CLI, API, UI, schedules). The gateway of the running server publishes it (at once when it runs
 * in this process); nodes that are offline get it when they come back, until it expires.
 *
 * @example
 *   const request = await dispatch({ project }, { plugin: 'os', where: 'groups.name = web' });
 *   const status = await waitForRequest(project, request.id, { timeoutMs: 30_000 });
 */
export async function dispatch(
  services: DispatchServices,
  input: DispatchInput,
): Promise<DispatchedRequest> {
  const { project } = services;
  const problem = pluginNameProblem(input.plugin);
  if (problem) throw new InputError(problem, { fields: { plugin: problem } });
  const ttlMs = input.ttlMs ?? 3600 * 1000;
  if (!Number.isFinite(ttlMs) || ttlMs < 1000 || ttlMs > MAX_TTL_MS) {
    throw new InputError('the request lifetime must be from 1 second to 7 days', {
      fields: { ttl: 'out of range' },
    });
  }
  const { selection, nodes, skipped } = await selectNodes(project, input);
  if (nodes.length === 0 && !('all' in selection)) {
    throw new InputError(
      skipped.length > 0
        ? `no agent on the selected host(s): ${skipped.slice(0, 10).join(', ')}`
        : 'the selection is empty: no host matches',
    );
  }
  const signingKey =
    services.signingKey ??
    (await loadSigningKey(project.database, project.config.agents.signingKeyFile));
  // The request and its audit row are one commit; the gateway publishes it after.
  const created = await auditedTransaction(project.database, async (trx, audit) => {
    const request = await new RequestStore(trx).create({
      plugin: input.plugin,
      selection,
      nodes,
      ttlMs,
      createdBy: input.createdBy ?? null,
      privateKey: signingKey.privateKey,
    });
    await audit({
      action: 'dispatch',
      targetType: 'request',
      targetId: request.id,
      targetName: input.plugin,
      after: { plugin: input.plugin, selection, nodes, skipped },
    });
    return request;
  });
  services.gateway?.kick();
  return { id: created.id, plugin: input.plugin, nodes, skipped, expiresAt: created.expiresAt };
}

async function selectNodes(
  project: Project,
  input: DispatchInput,
): Promise<{ selection: RequestSelection; nodes: string[]; skipped: string[] }> {
  const chosen = [input.nodes !== undefined, input.all === true, input.where !== undefined];
  if (chosen.filter(Boolean).length !== 1) {
    throw new InputError('choose the nodes with exactly one of: nodes, all, where');
  }
  const agents = new AgentStore(project);
  if (input.all) {
    return {
      selection: { all: true },
      nodes: (await agents.list()).map((a) => a.node),
      skipped: [],
    };
  }
  if (input.nodes !== undefined) {
    const nodes: string[] = [];
    for (const name of input.nodes) {
      const agent = await agents.forHostOrNode(name).catch((error: unknown) => {
        if (error instanceof NotFoundError) {
          throw new NotFoundError(
            `no agent for ${name}: enrol it with \`minke agents enroll ${name}\``,
          );
        }
        throw error;
      });
      nodes.push(agent.node);
    }
    const unique = [...new Set(nodes)];
    return { selection: { nodes: unique }, nodes: unique, skipped: [] };
  }
  const where = input.where as string | Filter;
  const filter = typeof where === 'string' ? parseWhere(where) : where;
  const hostIds = new Set(await project.records.ids('Host', { filter }));
  const withAgent = (await agents.list()).filter((a) => a.hostId !== null && hostIds.has(a.hostId));
  const covered = new Set(withAgent.map((a) => a.hostId));
  const skipped: string[] = [];
  for (const id of hostIds) {
    if (covered.has(id)) continue;
    const host = await project.records.get('Host', id);
    skipped.push(String(host['name']));
  }
  return {
    selection: { where: typeof where === 'string' ? where : JSON.stringify(where) },
    nodes: withAgent.map((a) => a.node),
    skipped: skipped.sort(),
  };
}

/** Waits for a request's nodes, reading the project's ledger (see `waitForRequestStatus`). */
export function waitForRequest(
  project: Project,
  requestId: string,
  options: WaitOptions,
): ReturnType<typeof waitForRequestStatus> {
  const ledger = new RequestStore(project.database);
  return waitForRequestStatus((id) => ledger.status(id), requestId, options);
}
