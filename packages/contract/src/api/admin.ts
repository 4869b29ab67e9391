import { z } from 'zod';
import { paging, wholeListPaging } from './common.js';

export const CREDENTIAL_TYPES = ['password', 'ssh-key'] as const;

/** A credential as listed: never its secret. */
export const credentialInfo = z.object({
  id: z.number(),
  name: z.string(),
  type: z.enum(CREDENTIAL_TYPES),
  /** An SSH key's public-key fingerprint (SHA256:…); null for a password. */
  fingerprint: z.string().nullable(),
  keyId: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
});
export type CredentialInfo = z.infer<typeof credentialInfo>;

/** A credential's secret as the API takes it; it is never sent back. */
export const credentialSecretInput = z.discriminatedUnion('type', [
  z.object({ type: z.literal('password'), password: z.string().min(1) }).strict(),
  z
    .object({
      type: z.literal('ssh-key'),
      privateKey: z.string().min(1).describe('OpenSSH or PEM private key text'),
      passphrase: z.string().optional().describe("the key's passphrase, if it is encrypted"),
    })
    .strict(),
]);
export const newCredentialBody = z.intersection(
  z.object({ name: z.string().describe('lower-case letters, digits, ".", "_" and "-"') }),
  credentialSecretInput,
);
/** A new secret for a credential: `type` may be left out when the fields say it. */
export const credentialReplaceBody = z
  .object({
    type: z.enum(CREDENTIAL_TYPES).optional(),
    password: z.string().min(1).optional(),
    privateKey: z.string().min(1).optional(),
    passphrase: z.string().optional(),
  })
  .strict();
export const credentialsQuery = z.object({ ...wholeListPaging });

/** One change in the audit log, with its place in the hash chain. */
export const auditEntry = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.object({ id: z.number().nullable(), name: z.string() }),
  via: z.string(),
  ip: z.string().nullable(),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string().nullable(), name: z.string().nullable() }),
  before: z.unknown(),
  after: z.unknown(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntry>;

export const auditPage = z.object({ items: z.array(auditEntry), total: z.number() });

/** The hash chain walked from the oldest row: intact, or the first row that breaks it. */
export const auditVerdict = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), rows: z.number(), lastId: z.number() }),
  z.object({
    ok: z.literal(false),
    rows: z.number(),
    brokenId: z.number(),
    reason: z.string(),
  }),
]);
export type AuditVerdict = z.infer<typeof auditVerdict>;

export const auditQuery = z.object({
  actor: z.string().optional().describe("a user's name, or operator (CLI)"),
  action: z.string().optional().describe('an action or its prefix: host matches host.update'),
  target: z.string().optional().describe("a target's name or id"),
  since: z.string().optional().describe('from this time (ISO-8601 date or timestamp)'),
  until: z.string().optional().describe('up to this time'),
  ...paging,
});

/** `GET /api/events`: which events to stream. */
export const eventsQuery = z.object({
  run: z.coerce.number().int().positive().optional().describe('only the events of this run'),
  since: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe('replay the events after this id (as Last-Event-ID does); 0 replays what is held'),
});
