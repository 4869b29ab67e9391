import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PROTOCOL_VERSION, type Presence, type Result } from '@minke/protocol';
import type { OpenedProject } from '../src/runtime/open-project.js';

/**
 * Points a test project's signing key at a temporary folder: test projects are rooted at the
 * working directory, and a test must not leave a key file there.
 */
export function useTempSigningKey(project: OpenedProject, dir: string): OpenedProject {
  project.config.agents.signingKeyFile = join(dir, `signing-${randomUUID().slice(0, 8)}.pem`);
  return project;
}

/** A valid agent result; `finishedAt` defaults to now. */
export function factResult(overrides: Partial<Result> & Pick<Result, 'node' | 'plugin'>): Result {
  const now = new Date().toISOString();
  return {
    v: PROTOCOL_VERSION,
    id: randomUUID(),
    ok: true,
    format: 'json',
    value: null,
    startedAt: overrides.finishedAt ?? now,
    finishedAt: now,
    durationMs: 0,
    exitCode: 0,
    ...overrides,
  };
}

/** A failed result, as an agent reports a plugin that failed or is not authorized. */
export function failedResult(
  overrides: Partial<Result> & Pick<Result, 'node' | 'plugin' | 'error'>,
): Result {
  const { value: _value, ...rest } = factResult({ ...overrides, ok: false });
  return rest;
}

/** An agent's presence message: online by default, with no plugins unless `extra` says so. */
export function agentPresence(
  node: string,
  online = true,
  extra: Partial<Presence> = {},
): Presence {
  return {
    v: PROTOCOL_VERSION,
    node,
    online,
    agentVersion: '0.1.0',
    plugins: [],
    rejected: [],
    at: new Date().toISOString(),
    ...extra,
  };
}
