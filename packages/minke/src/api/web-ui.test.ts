import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../../test-support/api-harness.js';
import { sqliteBackend } from '../../test-support/databases.js';
import { findWebRoot } from './web-ui.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-web-'));
const dist = join(tmp, 'dist');
mkdirSync(join(dist, 'assets'), { recursive: true });
writeFileSync(
  join(dist, 'index.html'),
  '<!doctype html><div id="root"></div><script type="module" src="/assets/app.js"></script>',
);
writeFileSync(join(dist, 'assets', 'app.js'), 'console.log("minke");');

let built: ApiHarness;
let unbuilt: ApiHarness;
beforeAll(async () => {
  built = await startApiHarness(sqliteBackend(), { webRoot: dist });
  unbuilt = await startApiHarness(sqliteBackend(), { webRoot: null });
});
afterAll(async () => {
  await built.close();
  await unbuilt.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the web admin and the API documents', () => {
  it('serves the built app, with index.html for page paths and 404 for missing files', async () => {
    const index = await built.anonymous.get('/');
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<div id="root">');
    const csp = String(index.headers['content-security-policy']);
    for (const directive of [
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self' data:",
      "default-src 'self'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect((await built.anonymous.get('/assets/app.js')).body).toContain('minke');
    const page = await built.anonymous.get('/records/Server/3?tab=history');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="root">');
    expect((await built.anonymous.get('/assets/missing.js')).statusCode).toBe(404);
    const api = await built.anonymous.get('/api/not-a-route');
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await built.anonymous.get('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await built.anonymous.get('/readyz')).json()).toEqual({
      status: 'ready',
      database: 'sqlite',
      checks: { database: 'ok' },
    });
  });

  it('says how to build the app when it is not built', async () => {
    const index = await unbuilt.anonymous.get('/');
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('npm run build');
    expect(findWebRoot([join(tmp, 'nowhere'), dist])).toBe(dist);
    expect(findWebRoot([join(tmp, 'nowhere')])).toBeUndefined();
  });

  it('serves the OpenAPI document and Swagger UI without logging in', async () => {
    const spec = await unbuilt.anonymous.get('/api/openapi.json');
    expect(spec.statusCode).toBe(200);
    const doc = spec.json<{
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { name: string; in: string }[];
            requestBody?: unknown;
            security?: unknown[];
          }
        >
      >;
    }>();
    expect(doc.openapi).toBe('3.0.3');
    expect(
      doc.paths['/api/records/{model}']?.['get']?.parameters?.map((p) => `${p.in}:${p.name}`),
    ).toEqual(
      expect.arrayContaining(['path:model', 'query:where', 'query:lastStatus', 'query:limit']),
    );
    expect(doc.paths['/api/runs']?.['post']?.requestBody).toBeDefined();
    expect(doc.paths['/api/auth/login']?.['post']?.security).toEqual([]);
    expect(Object.keys(doc.paths).every((path) => path.startsWith('/api/'))).toBe(true);
    const ui = await unbuilt.anonymous.get('/api/docs/');
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger-ui');
  });
});
