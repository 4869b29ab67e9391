import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchUrl } from './fetch-url.js';

/** A loopback server: a document, an error, a big reply without a length, a reply that never comes. */
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/ok.json') return response.end('{"hosts":[]}');
    if (request.url === '/error') {
      response.statusCode = 503;
      return response.end('down for maintenance');
    }
    if (request.url === '/big') {
      response.write('x'.repeat(600));
      return response.end('x'.repeat(600)); // chunked: no Content-Length to refuse early
    }
    // /slow: never answers; closed with the server.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const limits = { timeoutMs: 500, maxBytes: 1000 };

describe('fetchUrl', () => {
  it('returns the document and its type', async () => {
    await expect(fetchUrl(`${base}/ok.json`, limits)).resolves.toMatchObject({
      text: '{"hosts":[]}',
    });
  });

  it('says what went wrong: a status, too many bytes, no answer in time', async () => {
    await expect(fetchUrl(`${base}/error`, limits)).rejects.toThrow(
      `${base}/error: the server answered 503 Service Unavailable`,
    );
    await expect(fetchUrl(`${base}/big`, limits)).rejects.toThrow(
      `${base}/big: more than the 1000 bytes allowed`,
    );
    await expect(fetchUrl(`${base}/slow`, limits)).rejects.toThrow(
      `${base}/slow: no answer within 0.5 s`,
    );
  });
});
