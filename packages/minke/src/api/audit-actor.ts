import type { FastifyInstance, FastifyRequest } from 'fastify';
import { runWithAuditActor, type AuditActor } from '../audit/audit-context.js';
import type { Database } from '../store/database.js';

/**
 * Runs each request inside an audit context: every change an operation makes while handling it
 * is recorded as made by the request's caller, from its address, by token (named) or web session.
 * Registered before authentication: the caller is looked up when a row is written, by then known.
 */
export function addAuditActor(app: FastifyInstance, database: Database): void {
  app.addHook('onRequest', function enterAuditContext(request, _reply, done) {
    runWithAuditActor(() => requestActor(request, database), done);
  });
}

async function requestActor(request: FastifyRequest, database: Database): Promise<AuditActor> {
  const principal = request.principal;
  if (!principal) return { userId: null, name: 'anonymous', via: 'api', ip: request.ip };
  return {
    userId: principal.user.id,
    name: principal.user.username,
    via: principal.via === 'token' ? await tokenVia(database, principal.tokenId) : 'web session',
    ip: request.ip,
  };
}

async function tokenVia(database: Database, tokenId: number | undefined): Promise<string> {
  if (tokenId === undefined) return 'token';
  const row = await database.tables
    .selectFrom('minke_api_tokens')
    .select('name')
    .where('id', '=', tokenId)
    .executeTakeFirst();
  return row ? `token ${row.name}` : `token ${tokenId}`;
}
