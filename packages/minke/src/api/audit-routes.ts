import { auditPage, auditQuery, auditVerdict } from '@minke/contract';
import { may } from '../auth/access.js';
import { listAudit } from '../audit/audit-log.js';
import { verifyAudit } from '../audit/verify-audit.js';
import { PermissionDenied } from '../errors.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';

export const VIEW_AUDIT = 'view_audit';

/** The audit log, newest first: superusers and holders of view_audit. */
export const auditRoutes: ApiRoutes = (app, { project }) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Changes made by people and tokens, newest first, filtered and paged',
        querystring: auditQuery,
        response: { 200: auditPage },
      },
    },
    async (request) => {
      const { access } = principalOf(request);
      if (!may(access, VIEW_AUDIT))
        throw new PermissionDenied(`you may not read the audit log: it needs ${VIEW_AUDIT}`);
      return listAudit(project.database, request.query);
    },
  );

  app.get(
    '/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: "Walks the log's hash chain: intact, or the first row that breaks it",
        response: { 200: auditVerdict },
      },
    },
    async (request) => {
      const { access } = principalOf(request);
      if (!may(access, VIEW_AUDIT))
        throw new PermissionDenied(`you may not verify the audit log: it needs ${VIEW_AUDIT}`);
      return verifyAudit(project.database);
    },
  );
};
