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
  // small lists returned whole: the paging and the name search the web admin sends
  '/api/users?q=ro&limit=50&offset=0',
  '/api/user-groups?limit=500&offset=0',
  '/api/groups?q=we&limit=25&offset=0',
  '/api/permissions?limit=1000&offset=0',
  '/api/models?limit=50&offset=0',
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
    await h.user('Rosa');
    await h.user('olga');
    await h.project.hosts.addGroup({ name: 'Web' });
    await h.project.hosts.addGroup({ name: 'db' });
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
      /^unknown query parameters "sesion", "limt": this endpoint takes session, job, limit, offset$/,
    );
  });

  it('find users and host groups by a part of the name, any case (the web pickers send `q`)', async () => {
    const users = await root.get('/api/users?q=RO&limit=50&offset=0');
    expect(users.statusCode).toBe(200);
    expect(
      users
        .json<{ username: string }[]>()
        .map((u) => u.username)
        .sort(),
    ).toEqual(['Rosa', 'root']);
    const everyone = await root.get('/api/users?q=%20');
    expect(everyone.json<unknown[]>()).toHaveLength(3);
    const groups = await root.get('/api/groups?q=WE');
    expect(groups.json<{ name: string }[]>().map((g) => g.name)).toEqual(['Web']);
  });

  it('refuse a typo on the small admin lists too, naming what they take', async () => {
    const cases = {
      '/api/users?qq=olga': 'unknown query parameter "qq": this endpoint takes q, limit, offset',
      '/api/user-groups?name=x':
        'unknown query parameter "name": this endpoint takes limit, offset',
      '/api/groups?serch=web':
        'unknown query parameter "serch": this endpoint takes q, limit, offset',
      '/api/permissions?model=Host':
        'unknown query parameter "model": this endpoint takes limit, offset',
      '/api/models?lmit=5': 'unknown query parameter "lmit": this endpoint takes limit, offset',
    };
    for (const [url, message] of Object.entries(cases)) {
      const reply = await root.get(url);
      expect({
        url,
        status: reply.statusCode,
        message: reply.json<{ error: { message: string } }>().error.message,
      }).toEqual({ url, status: 400, message });
    }
  });
});
