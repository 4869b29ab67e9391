import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { httpStatusOf, isMinkeError, RateLimited } from '../errors.js';
import type { Logger } from '../logger.js';

/** The JSON body of every error reply: never a stack trace. */
export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}

/**
 * The one place where errors become replies: `MinkeError` by `httpStatusOf` (the edge's own
 * refusals too: 401, 403, 429), Fastify's client errors (bad JSON, wrong content type,
 * too large) as `input`; anything else is a 500 "internal error", logged with its stack.
 */
export function registerErrorHandler(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler(function handleError(
    error: unknown,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    const { status, body } = replyFor(error);
    if (status >= 500) {
      logger.error({ err: error, method: request.method, url: request.url }, 'request failed');
    }
    if (error instanceof RateLimited)
      void reply.header('retry-after', String(error.retryAfterSeconds));
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  });
}

export function replyFor(error: unknown): { status: number; body: ErrorBody } {
  if (isMinkeError(error)) {
    const status = httpStatusOf(error);
    // A setup error is the project's fault, not the caller's: its details go to the log only.
    // "Unavailable" says which service is down and what to do, which the caller needs to know.
    if (status >= 500 && error.code !== 'unavailable') return { status, body: internal() };
    return { status, body: { error: error.toJSON() } };
  }
  const fastifyError = error as Partial<FastifyError> | undefined;
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code =
      status === 401
        ? 'unauthenticated'
        : status === 404
          ? 'not_found'
          : status === 429
            ? 'rate_limited'
            : 'input';
    return {
      status,
      body: { error: { code, message: String(fastifyError?.message ?? 'bad request') } },
    };
  }
  return { status: 500, body: internal() };
}

function internal(): ErrorBody {
  return { error: { code: 'internal', message: 'internal error' } };
}

/** The reply for an unknown API path. */
export function apiNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply
    .code(404)
    .type('application/json; charset=utf-8')
    .send({
      error: {
        code: 'not_found',
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
      },
    });
}
