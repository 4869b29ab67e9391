import type { RemediationBody } from '@minke/contract';
import type { RunUser } from '../auth/run-user.js';
import { InputError } from '../errors.js';
import { HOST_MODEL } from '../model/host-model.js';
import { startRun, type RunServices, type StartedRun } from '../operations/start-run.js';
import { policyHosts } from './policy-operations.js';

/**
 * "Run session on these": starts a run of a session on a policy's failing hosts (all, or the
 * ones named, which must be failing), through `startRun` like any run: the same permissions,
 * form checks and audit row.
 */
export async function remediate(
  services: RunServices,
  policy: string,
  input: RemediationBody & { user: RunUser },
): Promise<StartedRun> {
  const failing = (
    await policyHosts(services.project, policy, { status: 'failing', limit: 1000 })
  ).items.map((item) => item.host);
  const chosen = input.hosts ?? failing;
  const notFailing = chosen.filter((host) => !failing.includes(host));
  if (notFailing.length > 0)
    throw new InputError(`not failing ${policy}: ${notFailing.join(', ')}`, {
      fields: { hosts: 'not failing' },
    });
  if (chosen.length === 0) throw new InputError(`no host fails ${policy}: nothing to run`);
  return startRun(services, {
    session: input.session,
    model: HOST_MODEL,
    ids: chosen,
    data: input.data,
    user: input.user,
  });
}
