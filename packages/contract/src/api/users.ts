import { z } from 'zod';
import { nameSearch, wholeListPaging } from './common.js';

export const userSummary = z.object({
  id: z.number(),
  username: z.string(),
  isSuperuser: z.boolean(),
});
export type UserSummary = z.infer<typeof userSummary>;

/** An account as the user admin shows it, with its groups and directly granted permissions. */
export const userDetail = userSummary.extend({
  isActive: z.boolean(),
  createdAt: z.string(),
  lastLogin: z.string().nullable(),
  groups: z.array(z.string()),
  permissions: z.array(z.string()),
});
export type UserDetail = z.infer<typeof userDetail>;

export const newUserBody = z
  .object({
    username: z.string(),
    password: z.string(),
    isSuperuser: z.boolean().optional(),
    groups: z.array(z.string()).optional(),
    permissions: z.array(z.string()).optional().describe('codenames granted directly'),
  })
  .strict();

export const userChangesBody = z
  .object({
    password: z.string().optional(),
    isSuperuser: z.boolean().optional(),
    isActive: z.boolean().optional(),
    groups: z.array(z.string()).optional().describe('replaces the current groups'),
    permissions: z.array(z.string()).optional().describe('replaces the directly granted codenames'),
  })
  .strict();

export const usersQuery = z.object({ ...nameSearch, ...wholeListPaging });

export const userGroup = z.object({
  id: z.number(),
  name: z.string(),
  permissions: z.array(z.string()),
  /** How many users are in it. */
  members: z.number(),
});
export type UserGroup = z.infer<typeof userGroup>;

export const newUserGroupBody = z
  .object({ name: z.string(), permissions: z.array(z.string()).optional() })
  .strict();
export const userGroupChangesBody = newUserGroupBody.partial();

export const permission = z.object({ codename: z.string(), name: z.string() });
export type Permission = z.infer<typeof permission>;

/** The caller: user, superuser flag, permission codenames, how it authenticated. */
export const me = userSummary.extend({
  permissions: z.array(z.string()),
  via: z.enum(['session', 'token']),
  csrfToken: z.string().optional(),
});
export type Me = z.infer<typeof me>;

export const loginBody = z.object({
  username: z.string().min(1).max(150),
  password: z.string().min(1).max(1024),
});
export const loginReply = z.object({ user: userSummary, csrfToken: z.string() });
export type LoginReply = z.infer<typeof loginReply>;

export const passwordChangeBody = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().max(1024).describe('at least 8 characters, not the current one'),
});
export const passwordChangeReply = z.object({ csrfToken: z.string().optional() });

export const apiToken = z.object({
  id: z.number(),
  userId: z.number(),
  username: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsed: z.string().nullable(),
  revoked: z.boolean(),
});
export type ApiToken = z.infer<typeof apiToken>;

/** A token just created: the only time `token` is known to anyone but its holder. */
export const newApiToken = apiToken.extend({ token: z.string() });
export type NewApiToken = z.infer<typeof newApiToken>;

export const tokensQuery = z.object({ user: z.string().optional(), ...wholeListPaging });
export const newTokenBody = z
  .object({
    name: z.string().optional().describe('a label: what the token is for'),
    user: z.string().optional().describe('for another user (superusers only)'),
  })
  .strict();
