/**
 * Where an agent keeps its spool when its config names none, and what `minke agents enroll`
 * writes: one folder per node under one base, so two agents on one machine never share a spool.
 */
export const DEFAULT_SPOOL_BASE = '/var/lib/minke-agent';

/**
 * The spool folder of `node` under `base`.
 *
 * @example
 *   agentSpoolDir('web1'); // '/var/lib/minke-agent/web1'
 */
export function agentSpoolDir(node: string, base: string = DEFAULT_SPOOL_BASE): string {
  return `${base.replace(/\/+$/, '')}/${node}`;
}
