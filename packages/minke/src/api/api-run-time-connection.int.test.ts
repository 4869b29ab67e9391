import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { backendFactories } from '../../test-support/databases.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-api-runtime-conn-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(backendFactories(() => tmp))(
  'run-time connection in POST /api/runs on $name',
  ({ make }) => {
    let h: ApiHarness;
    let ann: Caller;

    beforeAll(async () => {
      h = await startApiHarness(make());
      await h.user('ann', { permissions: ['view_host', 'run_hello'] });
      ann = await h.withToken('ann');
      await h.project.hosts.add({ name: 'web-1' });
    });
    afterAll(() => h.close());

    it('refuses a guarded setting from a non-manager with 403 naming it, and starts nothing', async () => {
      for (const [connection, field] of [
        [{ transport: 'local' }, 'transport'],
        [{ password: { file: '/etc/shadow' } }, 'password.file'],
      ] as const) {
        const reply = await ann.post('/api/runs', {
          session: 'Hello',
          model: 'Host',
          ids: ['web-1'],
          connection,
        });
        expect(reply.statusCode).toBe(403);
        expect(reply.json()).toMatchObject({
          error: {
            message: `run-time connection field ${field} needs the manage_connections permission`,
          },
        });
      }
      expect((await ann.get('/api/runs')).json()).toMatchObject({ total: 0 });
    });

    it('answers an invalid run-time layer with 400 naming the field, never its value', async () => {
      const reply = await ann.post('/api/runs', {
        session: 'Hello',
        model: 'Host',
        ids: ['web-1'],
        connection: { sudo: { password: 12345678, bogus: 'x' } },
      });
      expect(reply.statusCode).toBe(400);
      expect(reply.body).toContain('connection.sudo');
      expect(reply.body).not.toContain('12345678');
    });

    it("checks a re-run's run-time values as a run's: 403 for a guarded one, 400 for a bad one", async () => {
      const first = await ann.post('/api/runs', {
        session: 'Hello',
        model: 'Host',
        ids: ['web-1'],
      });
      expect(first.statusCode).toBe(201);
      const runId = first.json<{ id: number }>().id;
      const guarded = await ann.post(`/api/runs/${runId}/rerun`, {
        connection: { transport: 'local' },
      });
      expect(guarded.statusCode).toBe(403);
      expect(guarded.json()).toMatchObject({
        error: {
          message: 'run-time connection field transport needs the manage_connections permission',
        },
      });
      const bad = await ann.post(`/api/runs/${runId}/rerun`, {
        connection: { sudo: { password: 12345678, bogus: 'x' } },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('connection.sudo');
      expect(bad.body).not.toContain('12345678');
      // Neither started a run: only the first is there.
      expect((await ann.get('/api/runs')).json()).toMatchObject({ total: 1 });
    });
  },
);
