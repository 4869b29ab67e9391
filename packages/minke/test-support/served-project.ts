import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../src/config/resolve-config.js';
import { openProject } from '../src/runtime/open-project.js';
import { Service, startApiHarness, type ApiHarness } from './api-harness.js';
import type { TestBackend } from './databases.js';
import { runBuiltCli, type CliResult } from './run-cli.js';

/**
 * A project folder (the API harness's Service model, as a user writes it) and its SQLite file,
 * served by the API harness on 127.0.0.1: the built `minke` runs on it as the local project
 * (`local`) or through the server as a token's user (`remote`).
 */
export interface ServedProject {
  h: ApiHarness;
  dir: string;
  server: string;
  local: (...args: string[]) => Promise<CliResult>;
  remote: (token: string, ...args: string[]) => Promise<CliResult>;
  close: () => Promise<void>;
}

export async function startServedProject(name: string): Promise<ServedProject> {
  const dir = mkdtempSync(join(tmpdir(), `minke-${name}-`));
  const elsewhere = mkdtempSync(join(tmpdir(), `minke-${name}-cwd-`));
  const url = `sqlite:${join(dir, 'data.db')}`;
  const config = () =>
    resolveConfig(
      { database: url, models: [Service] },
      { projectDir: dir, configFile: 'test' },
      {},
    );
  const backend: TestBackend = {
    name: 'sqlite',
    open: () => openProject(config(), { migrate: true }),
    reopen: () => openProject(config(), { migrate: true }),
    cleanup: () => Promise.resolve(),
  };
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  writeFileSync(
    join(dir, 'models.ts'),
    [
      "import { defineModel, f } from 'minke';",
      "export const Service = defineModel('Service', {",
      "  fields: { host: f.ref('Host'), name: f.text(), kind: f.enum(['web', 'db', 'cache'], { default: 'web' }), port: f.int({ optional: true }) },",
      "  hostLookup: 'host', display: ['name'], ordering: ['name'],",
      '});',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'minke.config.ts'),
    "import { Service } from './models.js';\nexport default { database: 'sqlite:data.db', models: [Service] };\n",
  );
  const h = await startApiHarness(backend);
  const server = await h.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    h,
    dir,
    server,
    local: (...args) =>
      runBuiltCli(['--project', dir, ...args], {
        cwd: elsewhere,
        env: { MINKE_DATABASE_URL: url, MINKE_SERVER_URL: undefined, MINKE_TOKEN: undefined },
        timeoutMs: 60_000,
      }),
    remote: (token, ...args) =>
      runBuiltCli(['--server', server, ...args], {
        cwd: elsewhere,
        env: { MINKE_TOKEN: token, MINKE_SERVER_URL: undefined, MINKE_PROJECT: undefined },
        timeoutMs: 60_000,
      }),
    close: async () => {
      await h.close();
      rmSync(dir, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    },
  };
}
