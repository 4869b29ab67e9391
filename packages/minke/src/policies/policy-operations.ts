import type {
  ComplianceSeries,
  HostPolicies,
  PolicyCheckReply,
  PolicyHistoryPage,
  PolicyHostPage,
  PolicyHostsQuery,
  PolicyInput,
  PolicyList,
} from '@minke/contract';
import { policyInput } from '@minke/contract/api/policies';
import { auditedTransaction } from '../audit/audit-log.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import type { Project } from '../operations/project.js';
import { parseWhere } from '../query/parse-where.js';
import { countedPage } from '../store/counted-page.js';
import { complianceAt } from './compliance.js';
import { evaluatePolicies } from './evaluate-policies.js';
import { announcePolicyChanges } from './policy-hooks.js';
import { PolicyStore, type PolicyRow } from './policy-store.js';
import { ensureProjectPolicies } from './project-policies.js';

/** Every policy with how many hosts pass and fail it now. */
export async function listPolicies(project: Project): Promise<PolicyList> {
  await ensureProjectPolicies(project);
  const store = new PolicyStore(project.database);
  const counts = await store.counts();
  return {
    items: (await store.list()).map((policy) => {
      const count = counts.get(policy.id);
      return {
        name: policy.name,
        description: policy.description,
        where: policy.where,
        scope: policy.scope,
        origin: policy.origin,
        passing: count?.passing ?? 0,
        failing: count?.failing ?? 0,
        lastChecked: count?.lastChecked ?? null,
      };
    }),
  };
}

/** One policy by name; a 404 naming the ones there are. */
export async function policyNamed(project: Project, name: string): Promise<PolicyRow> {
  await ensureProjectPolicies(project);
  const store = new PolicyStore(project.database);
  const policy = await store.find(name);
  if (policy) return policy;
  const known = (await store.list()).map((p) => p.name).join(', ') || 'none';
  throw new NotFoundError(`no policy "${name}" (policies: ${known})`);
}

/** A policy's hosts (failing first, then by name), with since when they pass or fail. */
export async function policyHosts(
  project: Project,
  name: string,
  query: PolicyHostsQuery = {},
): Promise<PolicyHostPage> {
  const policy = await policyNamed(project, name);
  const limit = query.limit ?? 50;
  const offset = query.offset ?? 0;
  let base = project.database.tables
    .selectFrom('minke_policy_results as r')
    .innerJoin('minke_hosts as h', 'h.id', 'r.host_id')
    .where('r.policy_id', '=', policy.id);
  if (query.status !== undefined) base = base.where('r.passing', '=', query.status === 'passing');
  const { rows, total } = await countedPage(base, { limit, offset }, (query) =>
    query
      .select(['h.id', 'h.name', 'r.passing', 'r.since', 'r.checked_at'])
      .orderBy('r.passing')
      .orderBy('h.name'),
  );
  return {
    items: rows.map((row) => ({
      policy: policy.name,
      hostId: row.id,
      host: row.name,
      passing: row.passing,
      since: row.since,
      checkedAt: row.checked_at,
    })),
    total,
    limit,
    offset,
  };
}

/** The changes of a policy (one host's, or all), newest first. */
export async function policyHistory(
  project: Project,
  name: string,
  query: { host?: string | undefined; limit?: number | undefined; offset?: number | undefined },
): Promise<PolicyHistoryPage> {
  const policy = await policyNamed(project, name);
  const limit = query.limit ?? 50;
  const offset = query.offset ?? 0;
  let base = project.database.tables
    .selectFrom('minke_policy_history')
    .where('policy_id', '=', policy.id)
    .where('state', '<>', 'gone');
  if (query.host !== undefined) base = base.where('host_name', '=', query.host);
  const { rows, total } = await countedPage(base, { limit, offset }, (query) =>
    query
      .select(['host_name', 'state', 'changed_at'])
      .orderBy('changed_at', 'desc')
      .orderBy('id', 'desc'),
  );
  return {
    items: rows.map((row) => ({
      policy: policy.name,
      host: row.host_name,
      passing: row.state === 'pass',
      at: row.changed_at,
    })),
    total,
    limit,
    offset,
  };
}

/** The compliance chart: passing and failing counts at the end of each of the last `days` days, and now. */
export async function policyCompliance(
  project: Project,
  name: string,
  days = 30,
  now = new Date(),
): Promise<ComplianceSeries> {
  const policy = await policyNamed(project, name);
  const rows = await new PolicyStore(project.database).history(policy.id, {
    upTo: now,
    limit: 1_000_000,
  });
  const moments: Date[] = [];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let day = days - 1; day >= 1; day--)
    moments.push(new Date(today - (day - 1) * 86_400_000 - 1));
  moments.push(now);
  return { policy: policy.name, points: complianceAt(rows, moments) };
}

/** Evaluates policies now (one or all, on some hosts or all) and tells the failing hook. */
export async function checkPolicies(
  project: Project,
  input: { policy?: string | undefined; hosts?: readonly string[] | undefined } = {},
): Promise<PolicyCheckReply> {
  await ensureProjectPolicies(project);
  const policies =
    input.policy === undefined ? undefined : [await policyNamed(project, input.policy)];
  let hostIds: number[] | undefined;
  if (input.hosts !== undefined) {
    hostIds = [];
    for (const host of input.hosts) {
      const found = await project.records.findBy('Host', 'name', host);
      if (!found) throw new NotFoundError(`host ${host} does not exist`);
      hostIds.push(found.id);
    }
  }
  const outcome = await evaluatePolicies(project, { policies, hostIds });
  announcePolicyChanges(project, outcome.changed);
  return outcome;
}

/** A host's standing on every policy that applies to it. */
export async function hostPolicies(project: Project, host: string): Promise<HostPolicies> {
  await ensureProjectPolicies(project);
  const found = await project.records.findBy('Host', 'name', host);
  if (!found) throw new NotFoundError(`host ${host} does not exist`);
  const rows = await project.database.tables
    .selectFrom('minke_policy_results as r')
    .innerJoin('minke_policies as p', 'p.id', 'r.policy_id')
    .select(['p.name', 'r.passing', 'r.since', 'r.checked_at'])
    .where('r.host_id', '=', found.id)
    .orderBy('r.passing')
    .orderBy('p.name')
    .execute();
  return {
    host,
    items: rows.map((row) => ({
      policy: row.name,
      hostId: found.id,
      host,
      passing: row.passing,
      since: row.since,
      checkedAt: row.checked_at,
    })),
  };
}

/** Creates or replaces a policy made through the API or CLI (audited), then evaluates it. */
export async function savePolicy(project: Project, input: PolicyInput): Promise<PolicyRow> {
  const parsed = policyInput.safeParse(input);
  if (!parsed.success) {
    const fields = Object.fromEntries(
      parsed.error.issues.map((issue) => [issue.path.join('.') || '(policy)', issue.message]),
    );
    const summary = Object.entries(fields)
      .map(([field, reason]) => `${field}: ${reason}`)
      .join('; ');
    throw new InputError(`invalid policy: ${summary}`, { fields });
  }
  const policy = parsed.data;
  for (const [field, text] of [
    ['where', policy.where],
    ['scope', policy.scope],
  ] as const) {
    if (text === null) continue;
    try {
      parseWhere(text);
    } catch (error) {
      throw new InputError(`${field}: ${(error as Error).message}`, {
        fields: { [field]: 'invalid' },
      });
    }
  }
  await ensureProjectPolicies(project);
  const saved = await auditedTransaction(project.database, async (trx, audit) => {
    const store = new PolicyStore(trx);
    const before = await store.find(policy.name);
    if (before?.origin === 'project')
      throw new ConflictError(
        `policy ${policy.name} is defined in the project's files: change it there`,
      );
    const id = await store.save({ ...policy, origin: 'api' });
    await audit({
      action: before ? 'policy.update' : 'policy.create',
      targetType: 'policy',
      targetId: id,
      targetName: policy.name,
      before: before ?? undefined,
      after: policy,
    });
    return (await store.find(policy.name)) as PolicyRow;
  });
  // A changed condition starts over: the standings of the old one do not carry over.
  const outcome = await evaluatePolicies(project, { policies: [saved] });
  announcePolicyChanges(project, outcome.changed);
  return saved;
}

/** Deletes a policy made through the API or CLI, with its history (audited). */
export async function deletePolicy(project: Project, name: string): Promise<void> {
  const policy = await policyNamed(project, name);
  if (policy.origin === 'project')
    throw new ConflictError(`policy ${name} is defined in the project's files: remove it there`);
  await auditedTransaction(project.database, async (trx, audit) => {
    await new PolicyStore(trx).delete(policy.id);
    await audit({
      action: 'policy.delete',
      targetType: 'policy',
      targetId: policy.id,
      targetName: name,
      before: policy,
    });
  });
}
