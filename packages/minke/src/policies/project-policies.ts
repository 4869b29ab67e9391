import { policyInput } from '@minke/contract/api/policies';
import { SetupError } from '../errors.js';
import type { Project } from '../operations/project.js';
import { parseWhere } from '../query/parse-where.js';
import { isPolicyDefinition, type PolicyDefinition } from '../config/define-policy.js';
import { evaluatePolicies } from './evaluate-policies.js';
import { PolicyStore } from './policy-store.js';

const synced = new WeakMap<Project, Promise<void>>();

/**
 * Makes the stored policies match the project's `policies` (once per process and project):
 * new or changed ones are saved and evaluated on every host, ones no longer listed are deleted.
 * Policies made through the API are left alone unless the project defines one of that name (the
 * project's wins). A mistake names the policy and stops the command.
 */
export function ensureProjectPolicies(project: Project): Promise<void> {
  let done = synced.get(project);
  if (!done) {
    done = syncProjectPolicies(project);
    synced.set(project, done);
    // A failed sync is retried on the next use (the message is seen each time).
    done.catch(() => synced.delete(project));
  }
  return done;
}

async function syncProjectPolicies(project: Project): Promise<void> {
  const defined = checkedDefinitions(project.config.policies ?? []);
  const store = new PolicyStore(project.database);
  const stored = new Map((await store.list()).map((policy) => [policy.name, policy]));
  const changed: string[] = [];
  for (const policy of defined) {
    const before = stored.get(policy.name);
    const same =
      before?.origin === 'project' &&
      before.where === policy.where &&
      before.scope === policy.scope &&
      before.description === policy.description;
    if (same) continue;
    await store.save({ ...policy, origin: 'project' });
    changed.push(policy.name);
  }
  const names = new Set(defined.map((policy) => policy.name));
  for (const policy of stored.values())
    if (policy.origin === 'project' && !names.has(policy.name)) await store.delete(policy.id);
  if (changed.length === 0) return;
  const policies = (await store.list()).filter((policy) => changed.includes(policy.name));
  await evaluatePolicies(project, { policies });
}

function checkedDefinitions(values: readonly unknown[]): PolicyDefinition[] {
  const seen = new Set<string>();
  return values.map((value, index) => {
    if (!isPolicyDefinition(value))
      throw new SetupError(`policies[${index}] is not a policy: write it with definePolicy({...})`);
    const fail = (reason: string) =>
      new SetupError(`policy ${value.name || `policies[${index}]`}: ${reason}`);
    const parsed = policyInput.safeParse(value);
    if (!parsed.success)
      throw fail(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    if (seen.has(value.name)) throw fail('defined twice');
    seen.add(value.name);
    for (const [what, text] of [
      ['where', value.where],
      ['scope', value.scope],
    ] as const) {
      if (text === null) continue;
      try {
        parseWhere(text);
      } catch (error) {
        throw fail(`${what}: ${(error as Error).message}`);
      }
    }
    return value;
  });
}
