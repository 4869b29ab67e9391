import { z } from 'zod';
import { nameSearch, pageOf, paging, wholeListPaging } from './common.js';

const connectionConfig = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .describe('connection config: a mapping, or YAML/JSON text');

/** A host as the API takes it: the Host fields plus its groups, in layering order. */
export const hostInput = z
  .object({
    name: z.string().describe('unique, DNS-safe: web-1.example.com'),
    hostname: z.string().nullable().optional(),
    port: z.number().int().nullable().optional(),
    user: z.string().nullable().optional(),
    config: connectionConfig.optional(),
    groups: z.array(z.string()).optional(),
    disabled: z.boolean().optional(),
    comment: z.string().nullable().optional(),
  })
  .strict();
export type HostInput = z.infer<typeof hostInput>;

export const hostChanges = hostInput.partial();

/** A host as the API answers: the Host fields (a project may add its own) and its groups. */
export const hostRecord = z.looseObject({
  id: z.number(),
  name: z.string(),
  groups: z.array(z.string()),
});
export type HostRecord = z.infer<typeof hostRecord>;

export const hostPage = pageOf(hostRecord);

export const hostListQuery = z.object({
  where: z.string().optional(),
  search: z.string().optional(),
  ...paging,
});

export const hostImportBody = z.union([
  z.string().describe('OpenSSH config text (Content-Type: text/plain)'),
  z
    .object({
      text: z.string().describe('OpenSSH config text'),
      dryRun: z.boolean().optional(),
      groups: z.array(z.string()).optional().describe('put the imported hosts in these groups'),
    })
    .strict(),
]);

export const hostImportReport = z.object({
  dryRun: z.boolean(),
  /** Hosts added (or that would be, on a dry run). */
  added: z.array(z.string()),
  /** Entries left out, and why (a pattern, an invalid name, a host that exists). */
  skipped: z.array(z.object({ alias: z.string(), reason: z.string() })),
});
export type HostImportReport = z.infer<typeof hostImportReport>;

export const hostGroupInput = z
  .object({
    name: z.string(),
    config: connectionConfig.optional(),
    comment: z.string().nullable().optional(),
  })
  .strict();

export const hostGroupChanges = z
  .object({
    name: z.string().optional().describe('a new name; hosts keep the group'),
    config: connectionConfig.optional().describe('replaces the connection config'),
    comment: z.string().nullable().optional(),
    members: z
      .array(z.string())
      .optional()
      .describe(
        'host names: the members afterwards (a host that joins gets the group last in its layering order)',
      ),
  })
  .strict();

export const hostGroup = z.object({
  id: z.number(),
  name: z.string(),
  config: z.record(z.string(), z.unknown()),
  comment: z.string().nullable(),
  /** How many hosts are in the group. */
  hosts: z.number(),
  /** Their names, sorted. */
  members: z.array(z.string()),
});
export type HostGroup = z.infer<typeof hostGroup>;

export const hostGroupsQuery = z.object({ ...nameSearch, ...wholeListPaging });

/** A host lock (lease) as an admin sees it. */
export const hostLease = z.object({
  host: z.string(),
  hostId: z.number(),
  owner: z.string().describe('the server or worker process holding it'),
  runId: z.number().nullable(),
  session: z.string().nullable(),
  since: z.string().nullable().describe('when the run holding it started'),
  expiresAt: z.string(),
  expired: z.boolean().describe('its holder stopped renewing it'),
});
export type HostLease = z.infer<typeof hostLease>;

export const hostLeaseClearQuery = z.object({
  force: z
    .enum(['true', 'false'])
    .optional()
    .describe('clear a lease that has not expired (its run may still be working)'),
});

export const HOST_KEY_STATUSES = ['pending', 'trusted', 'replaced'] as const;

/** One key a host presented, as the API, CLI and web admin show it. */
export const hostKey = z.object({
  id: z.number(),
  host: z.string(),
  address: z.string(),
  keyType: z.string(),
  fingerprint: z.string(),
  publicKey: z.string(),
  status: z.enum(HOST_KEY_STATUSES),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  /** A user's name, `accept-new`, or the known_hosts file it was imported from. */
  trustedBy: z.string().nullable(),
  trustedAt: z.string().nullable(),
  replacedAt: z.string().nullable(),
});
export type HostKey = z.infer<typeof hostKey>;

export const hostKeysQuery = z.object({
  host: z.string().optional().describe("one host's keys"),
  ...wholeListPaging,
});

export const hostKeyTrustBody = z
  .object({
    fingerprint: z
      .string()
      .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a SHA256 fingerprint as ssh-keygen -l prints it')
      .describe('the pending key to trust (SHA256:…): it must be the one the host offered'),
  })
  .strict();
