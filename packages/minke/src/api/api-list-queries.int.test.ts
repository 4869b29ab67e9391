import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { backendFactories } from '../../test-support/databases.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-api-queries-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every list endpoint that declares its query, with a parameter it really takes. */
const LISTS = [
  '/api/records/Service?where=name%20%3D%20nginx',
  '/api/hosts?search=web',
  '/api/runs?limit=5',
  '/api/session-records?limit=5',
  '/api/agents?search=web',
  '/api/facts?where=facts.uptime%20exists',
  '/api/hosts/web-1/facts/history?plugin=uptime',
  '/api/tokens?limit=25&offset=0',
  '/api/sessions?model=Host',
];

describe.each(backendFactories(() => tmp))('list endpoints on $name', ({ make }) => {
  let h: ApiHarness;
  let root: Caller;

  beforeAll(async () => {
    h = await startApiHarness(make());
    await h.user('root', { superuser: true });
    root = await h.withToken('root');
    const web1 = await h.project.hosts.add({ name: 'web-1' });
    const web2 = await h.project.hosts.add({ name: 'web-2' });
    await h.project.records.create('Service', { host: web1.id, name: 'nginx' });
    await h.project.records.create('Service', { host: web2.id, name: 'apache' });
  });
  afterAll(() => h.close());

  it('answer with the parameters they declare', async () => {
    for (const url of LISTS) {
      const reply = await root.get(url);
      expect({ url, status: reply.statusCode }).toEqual({ url, status: 200 });
    }
  });

  it('refuse an unknown parameter with 400 naming it, instead of listing everything', async () => {
    // `were` for `where`: before, this listed both services as if no filter had been given.
    const typo = await root.get('/api/records/Service?were=name%20%3D%20nginx');
    expect(typo.statusCode).toBe(400);
    expect(typo.json()).toEqual({
      error: {
        code: 'input',
        message:
          'unknown query parameter "were": this endpoint takes where, search, order, lastStatus, limit, offset',
        fields: { were: 'unknown query parameter' },
      },
    });
    for (const url of LISTS) {
      const reply = await root.get(`${url}&sizee=3`);
      expect({ url, status: reply.statusCode }).toEqual({ url, status: 400 });
      expect(reply.json<{ error: { message: string } }>().error.message).toMatch(
        /^unknown query parameter "sizee": this endpoint takes /,
      );
    }
    const two = await root.get('/api/runs?sesion=Hello&limt=3');
    expect(two.json<{ error: { message: string } }>().error.message).toMatch(
      /^unknown query parameters "sesion", "limt": this endpoint takes session, limit, offset$/,
    );
  });
});
