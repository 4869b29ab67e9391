import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProjectConfig } from '../runtime/load-project.js';
import { buildModelRegistry } from '../model/model-registry.js';
import type { Project } from './project.js';
import { buildSessionRegistry } from '../session/session-registry.js';
import { sessionCatalog } from './catalog.js';
import { localOperator } from './start-run.js';

const demoDir = fileURLToPath(new URL('../../../../examples/demo', import.meta.url));

describe('the demo project in the sessions catalog', () => {
  it('describes every session, as the run dialog and `minke sessions list` show it', async () => {
    const config = await loadProjectConfig(demoDir, {});
    const models = buildModelRegistry(config.models);
    const sessions = buildSessionRegistry(config.sessions, models);
    // The catalog reads only the registries: no database is needed to see what it returns.
    const catalog = sessionCatalog({ models, sessions } as unknown as Project, localOperator);
    expect(catalog.length).toBeGreaterThan(0);
    for (const session of catalog) {
      expect(session.description, session.name).toEqual(expect.stringMatching(/\w{3,}/));
    }
    expect(catalog.find((s) => s.name === 'DiskUsage')?.description).toBe(
      'Shows the disk usage (df -h) of a path.',
    );
  });
});
