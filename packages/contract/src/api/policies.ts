import { z } from 'zod';
import { pageOf } from './common.js';

/** Where a policy was defined: in the project's files (read-only here), or through the API/CLI. */
export const POLICY_ORIGINS = ['project', 'api'] as const;
export type PolicyOrigin = (typeof POLICY_ORIGINS)[number];

const policyName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'letters, digits, _ . - (at most 100)');

/** A policy as written: what a compliant host satisfies, and which hosts it applies to. */
export const policyInput = z.object({
  name: policyName,
  description: z.string().max(2000).default(''),
  where: z
    .string()
    .min(1)
    .describe(
      'a compliant host satisfies it: facts.os-release.VERSION_ID >= 12 and facts.packages.openssh-server exists',
    ),
  scope: z
    .string()
    .nullable()
    .default(null)
    .describe('the hosts it applies to (a --where on hosts); null: every host'),
});
export type PolicyInput = z.input<typeof policyInput>;

/** A policy with its current counts. */
export const policySummary = z.object({
  name: z.string(),
  description: z.string(),
  where: z.string(),
  scope: z.string().nullable(),
  origin: z.enum(POLICY_ORIGINS),
  passing: z.number().int(),
  failing: z.number().int(),
  lastChecked: z.string().nullable().describe('when any host was last evaluated'),
});
export type PolicySummary = z.infer<typeof policySummary>;

export const policyList = z.object({ items: z.array(policySummary) });
export type PolicyList = z.infer<typeof policyList>;

/** One host's standing on one policy. */
export const policyHostResult = z.object({
  policy: z.string(),
  hostId: z.number().int(),
  host: z.string(),
  passing: z.boolean(),
  since: z.string().describe('when it last changed between passing and failing'),
  checkedAt: z.string(),
});
export type PolicyHostResult = z.infer<typeof policyHostResult>;

export const policyHostPage = pageOf(policyHostResult);
export type PolicyHostPage = z.infer<typeof policyHostPage>;

export const policyHostsQuery = z.object({
  status: z.enum(['passing', 'failing']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});
export type PolicyHostsQuery = z.infer<typeof policyHostsQuery>;

/** One point of the compliance chart: the counts as they stood at `at`. */
export const compliancePoint = z.object({
  at: z.string(),
  passing: z.number().int(),
  failing: z.number().int(),
});
export type CompliancePoint = z.infer<typeof compliancePoint>;

export const complianceQuery = z.object({
  days: z.coerce.number().int().min(1).max(366).optional().describe('default 30'),
});

export const complianceSeries = z.object({
  policy: z.string(),
  points: z.array(compliancePoint),
});
export type ComplianceSeries = z.infer<typeof complianceSeries>;

/** A change of one host between passing and failing. */
export const policyTransition = z.object({
  policy: z.string(),
  host: z.string(),
  passing: z.boolean(),
  at: z.string(),
});
export type PolicyTransition = z.infer<typeof policyTransition>;

export const policyHistoryPage = pageOf(policyTransition);
export type PolicyHistoryPage = z.infer<typeof policyHistoryPage>;

export const policyHistoryQuery = z.object({
  host: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});

/** What a check did: hosts evaluated, and how many changed. */
export const policyCheckReply = z.object({
  policies: z.number().int(),
  evaluated: z.number().int().describe('host × policy pairs evaluated'),
  changed: z.array(policyTransition),
});
export type PolicyCheckReply = z.infer<typeof policyCheckReply>;

export const policyCheckBody = z
  .object({
    policy: z.string().optional().describe('one policy; all when absent'),
    hosts: z.array(z.string()).optional().describe('host names; all hosts when absent'),
  })
  .optional();

/** A host's standing on every policy that applies to it. */
export const hostPolicies = z.object({ host: z.string(), items: z.array(policyHostResult) });
export type HostPolicies = z.infer<typeof hostPolicies>;

/** Run a session on a policy's failing hosts (the "Run session on these" action). */
export const remediationBody = z.object({
  session: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
  hosts: z
    .array(z.string())
    .optional()
    .describe('some of the failing hosts; all of them when absent'),
});
export type RemediationBody = z.infer<typeof remediationBody>;
