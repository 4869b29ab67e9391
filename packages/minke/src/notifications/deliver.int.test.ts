import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver } from './deliver.js';
import { runMessage } from './notification-message.js';

/**
 * One attempt per channel kind against a real HTTP receiver on loopback: a Slack/Mattermost
 * incoming webhook gets `{ text }` with the link and the objects that did not end well, its URL
 * read from the environment; an unsigned webhook gets no signature; a redirect is a failure.
 */
const message = runMessage('run.failed', {
  id: 7,
  session: 'Deploy',
  model: 'Server',
  job: 'nightly-deploy',
  summary: {
    all: 2,
    waiting: 0,
    running: 0,
    done: 2,
    success: 1,
    warning: 0,
    error: 1,
    stopped: 0,
  },
  counts: { all: 2, success: 1, warning: 0, failed: 1, notRun: 0 },
  failed: [{ objectLabel: 'web-2', hostName: 'web-2', processState: 'failed', message: 'refused' }],
  url: 'https://minke.example.org/runs/7',
});
const noPasswords = () => Promise.reject(new Error('no credentials here'));

describe('deliver (loopback HTTP receiver)', () => {
  const got: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  let server: Server;
  let base = '';

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        got.push({ path: request.url ?? '', headers: request.headers, body });
        if (request.url === '/moved') response.writeHead(302, { location: '/chat' }).end();
        else response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('posts { text } to a chat webhook whose URL is a secret', async () => {
    process.env['MINKE_TEST_CHAT_URL'] = `${base}/chat`;
    try {
      const channel = { name: 'chat', kind: 'chat' as const, url: { env: 'MINKE_TEST_CHAT_URL' } };
      await deliver(channel, message, { deliveryId: 1 }, noPasswords);
    } finally {
      delete process.env['MINKE_TEST_CHAT_URL'];
    }
    const request = got.at(-1);
    expect(request?.path).toBe('/chat');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '{}')).toEqual({
      text: '*Minke: nightly-deploy failed (run 7: 1 success, 1 failed of 2)* <https://minke.example.org/runs/7|open run 7>\n• web-2',
    });
  });

  it('sends no signature without a secret, and fails on a redirect or a missing secret', async () => {
    await deliver(
      { name: 'hook', kind: 'webhook', url: `${base}/hook` },
      message,
      { deliveryId: 2 },
      noPasswords,
    );
    expect(got.at(-1)?.headers['x-minke-signature']).toBeUndefined();
    expect(got.at(-1)?.headers['x-minke-delivery']).toBe('2');
    await expect(
      deliver(
        { name: 'hook', kind: 'webhook', url: `${base}/moved` },
        message,
        { deliveryId: 3 },
        noPasswords,
      ),
    ).rejects.toThrow();
    await expect(
      deliver(
        {
          name: 'hook',
          kind: 'webhook',
          url: `${base}/hook`,
          secret: { env: 'MINKE_TEST_UNSET_SECRET' },
        },
        message,
        { deliveryId: 4 },
        noPasswords,
      ),
    ).rejects.toThrow('the environment variable MINKE_TEST_UNSET_SECRET is not set');
  });
});
