const policyBrand = Symbol.for('minke.policy');

/** A fact policy as a project writes it. */
export interface PolicyDefinition {
  readonly [policyBrand]: true;
  /** Unique: letters, digits, `_`, `.`, `-`. */
  readonly name: string;
  readonly description: string;
  /** What a compliant host satisfies, in the `--where` language over facts and host fields. */
  readonly where: string;
  /** Which hosts it applies to (a `--where` on hosts); every host when absent. */
  readonly scope: string | null;
}

/**
 * A fact policy: Minke evaluates it whenever a host's facts change (and on `minke policies
 * check`), and keeps, per host, when it started passing or failing. List policies in
 * `minke.config.ts` (`policies: [...]`), or in a `policies.ts` the config imports.
 *
 * @example
 *   export const sshUpToDate = definePolicy({
 *     name: 'ssh-on-bookworm',
 *     description: 'Debian 12 or later, with the OpenSSH server installed',
 *     where: 'facts.os-release.VERSION_ID >= 12 and facts.packages.openssh-server exists',
 *     scope: 'groups.name = debian',
 *   });
 */
export function definePolicy(policy: {
  name: string;
  description?: string;
  where: string;
  scope?: string | null;
}): PolicyDefinition {
  return {
    [policyBrand]: true,
    name: policy.name,
    description: policy.description ?? '',
    where: policy.where,
    scope: policy.scope ?? null,
  };
}

/** Whether a value is a policy from `definePolicy` (across module copies). */
export function isPolicyDefinition(value: unknown): value is PolicyDefinition {
  return typeof value === 'object' && value !== null && policyBrand in value;
}
