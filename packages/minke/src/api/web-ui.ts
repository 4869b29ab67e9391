import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Where the built web admin may be, from this file (`src/api/` or `dist/api/` of the minke
 * package): the web package's Vite build in the repository, or a copy inside the minke package.
 */
export function webRootCandidates(): string[] {
  return [
    fileURLToPath(new URL('../../../web/dist', import.meta.url)),
    fileURLToPath(new URL('../../web', import.meta.url)),
  ];
}

/** The first candidate that holds an `index.html`, if any. */
export function findWebRoot(
  candidates: readonly string[] = webRootCandidates(),
): string | undefined {
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

const missingBuild = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Minke</title></head>
<body><h1>Minke</h1>
<p>The web admin is not built yet: run <code>npm run build</code> (it builds <code>packages/web</code>), then reload.</p>
<p>The API is at <a href="/api/docs">/api/docs</a>.</p></body></html>
`;

/**
 * Serves the web admin at `/`: its files, and `index.html` for any other page path (the app
 * routes in the browser). Without a build, a short page says how to make one.
 */
export async function registerWebUi(
  app: FastifyInstance,
  root: string | undefined,
): Promise<(request: FastifyRequest, reply: FastifyReply) => FastifyReply> {
  if (root === undefined) {
    app.get('/', { schema: { hide: true } }, (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(missingBuild),
    );
    return (_request, reply) => reply.code(404).type('text/html; charset=utf-8').send(missingBuild);
  }
  await app.register(fastifyStatic, { root, prefix: '/', wildcard: true, index: ['index.html'] });
  return function spaFallback(request, reply) {
    const path = request.url.split('?')[0] ?? '/';
    const lastSegment = path.split('/').at(-1) ?? '';
    // A missing file (has an extension) is a 404; any other path is a page of the app.
    if ((request.method !== 'GET' && request.method !== 'HEAD') || lastSegment.includes('.')) {
      return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  };
}
