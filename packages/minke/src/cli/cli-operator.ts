import { userInfo } from 'node:os';

/**
 * Who the CLI acts as where the project records a person (`created_by`, `updated_by`, a host
 * key's `trusted_by`): the operator of this machine, who holds the project already.
 */
export function cliOperator(): string {
  return `cli:${userInfo().username}`;
}
