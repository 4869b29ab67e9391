import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { builtMinke, prepareLocalHost, writeProject } from '../../test-support/project-folder.js';
import { ApiTokenStore } from '../auth/api-token-store.js';
import { silentLogger } from '../logger.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { createRuntime, type Runtime } from '../runtime/runtime.js';
import { buildServer } from '../server/build-server.js';
import { Session } from '../session/session.js';
import { fromField, fromFunction } from './choice-source.js';

const form = z.object({
  color: z.string().meta({ choices: fromFunction(() => ['blue', 'green']) }),
  login: z
    .string()
    .optional()
    .meta({ choices: fromField('user') }),
});

class Paint extends Session<typeof form> {
  static override workOn = ['Host'];
  static override form = form;
  override async process() {
    await this.addMsg(`painted ${this.data.color}`);
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'minke-choices-api-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(backendFactories(() => tmp))('choices through the API on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;
  let runtime: Runtime;
  let app: FastifyInstance;
  const tokens: Record<string, string> = {};

  beforeEach(async () => {
    backend = make();
    project = await backend.open([], {}, [Paint]);
    runtime = createRuntime(project, { quiet: true });
    app = await buildServer({ project, runtime, logger: silentLogger, webRoot: null });
    await app.ready();
    for (const [name, user] of [
      ['h1', 'deploy'],
      ['h2', 'deploy'],
      ['h3', 'root'],
    ])
      await project.hosts.add({ name: name as string, user, config: { transport: 'local' } });
    const store = new ApiTokenStore(project.database);
    for (const [name, permissions] of [
      ['painter', ['run_paint', 'view_host']],
      ['outsider', ['view_host']],
    ] as const) {
      const user = await project.users.create({ username: name, password: 'pw-not-used-here' });
      await project.permissions.grant(user.id, [...permissions]);
      tokens[name] = (await store.create({ userId: user.id, name: 'test' })).token;
    }
  });
  afterEach(async () => {
    await app.close();
    await runtime.close();
    await project.close();
    await backend.cleanup();
  });

  const call = (who: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${tokens[who]}` }, payload });

  it('lists a field’s choices for the selection, with counts', async () => {
    const reply = await call('painter', 'GET', '/api/sessions/Paint/choices/login?ids=h1,h2,h3');
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toEqual({
      session: 'Paint',
      field: 'login',
      source: 'field',
      multiple: false,
      selected: 3,
      items: [
        { value: 'deploy', label: 'deploy', count: 2 },
        { value: 'root', label: 'root', count: 1 },
      ],
    });
    const others = await call('outsider', 'GET', '/api/sessions/Paint/choices/color?ids=h1');
    expect(others.statusCode).toBe(403);
  });

  it('refuses a forged value at submit with a message naming the field', async () => {
    const forged = await call('painter', 'POST', '/api/runs', {
      session: 'Paint',
      ids: ['h1', 'h3'],
      data: { color: 'red', login: 'deploy' },
    });
    expect(forged.statusCode).toBe(400);
    // login "deploy" is a choice here (h1's); color "red" is no choice at all.
    expect(forged.json()).toEqual({
      error: {
        code: 'input',
        message:
          'invalid form data for Paint: color: "red" is not among the choices for this selection (choices: blue, green)',
        fields: {
          color: '"red" is not among the choices for this selection (choices: blue, green)',
        },
      },
    });
    const ok = await call('painter', 'POST', '/api/runs', {
      session: 'Paint',
      ids: ['h1', 'h3'],
      data: { color: 'green', login: 'root' },
    });
    expect(ok.statusCode).toBe(201);
  });
});

describe('choices through the built CLI on a project folder', () => {
  it('refuses a forged value and prints the choices', async () => {
    const dir = join(tmp, 'project');
    writeProject(dir, {
      config: "database: 'sqlite:data.db', sessions: [Paint]",
      sessionNames: ['Paint'],
      sessions: `import { Session, fromFunction, z } from 'minke';
const form = z.object({ color: z.string().meta({ choices: fromFunction(() => ['blue', 'green']) }) });
export class Paint extends Session<typeof form> {
  static override workOn = ['Host'];
  static override form = form;
  override async process() {
    await this.addMsg('painted ' + this.data.color);
  }
}
`,
    });
    await prepareLocalHost(dir);
    const forged = await builtMinke(dir, ['run', 'Paint', '--id', 'local1', '--data', 'color=red']);
    expect(forged.code).not.toBe(0);
    expect(forged.stderr).toContain(
      'color: "red" is not among the choices for this selection (choices: blue, green)',
    );
    const chosen = await builtMinke(dir, [
      'run',
      'Paint',
      '--id',
      'local1',
      '--data',
      'color=blue',
    ]);
    expect(chosen.stderr).toBe('');
    expect(chosen.code).toBe(0);
    expect(chosen.stdout).toContain('painted blue');
  });
});
