import { z } from 'zod';
import { resultFormat } from './agents.js';
import { pageOf, paging } from './common.js';

export const factRecord = z.object({
  node: z.string(),
  plugin: z.string(),
  format: resultFormat,
  value: z.unknown().describe('parsed by the plugin’s result format'),
  collectedAt: z.string(),
  requestId: z.string().nullable().describe('null: reported on the agent’s own schedule'),
  resultId: z.string(),
});
export type FactRecord = z.infer<typeof factRecord>;

export const CHANGE_KINDS = ['added', 'removed', 'changed'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export const factChange = z.object({
  path: z.array(z.string()),
  kind: z.enum(CHANGE_KINDS),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export type FactChange = z.infer<typeof factChange>;

export const hostFacts = z.object({
  host: z.string(),
  agent: z
    .object({ node: z.string(), online: z.boolean(), lastSeen: z.string().nullable() })
    .nullable()
    .describe('null: no agent on this host'),
  facts: z.array(factRecord),
});
export type HostFacts = z.infer<typeof hostFacts>;

export const factVersion = factRecord.extend({
  changes: z
    .array(factChange)
    .nullable()
    .describe('against the version before it; null for the first one'),
});
export type FactVersion = z.infer<typeof factVersion>;

export const factHistoryPage = pageOf(factVersion).extend({
  host: z.string(),
  plugin: z.string(),
  node: z.string().nullable(),
});
export type FactHistoryPage = z.infer<typeof factHistoryPage>;

/** An agent's facts by its node name: a node reports facts before a host of its name exists. */
export const nodeFacts = z.object({
  node: z.string(),
  host: z.string().nullable().describe('the host the agent belongs to; null: none yet'),
  online: z.boolean(),
  lastSeen: z.string().nullable(),
  facts: z.array(factRecord),
});
export type NodeFacts = z.infer<typeof nodeFacts>;

export const nodeFactHistoryPage = pageOf(factVersion).extend({
  node: z.string(),
  host: z.string().nullable(),
  plugin: z.string(),
});
export type NodeFactHistoryPage = z.infer<typeof nodeFactHistoryPage>;

export const factSearchHit = z.object({
  hostId: z.number(),
  host: z.string(),
  node: z.string().nullable(),
  online: z.boolean().nullable(),
  values: z.record(z.string(), z.unknown()).describe('by path; null where the host has none'),
});
export type FactSearchHit = z.infer<typeof factSearchHit>;

export const factSearchPage = pageOf(factSearchHit).extend({
  paths: z.array(z.string()).describe('the fact paths the filter names'),
});
export type FactSearchPage = z.infer<typeof factSearchPage>;

export const factSearchQuery = z.object({
  where: z
    .string()
    .describe(
      'as `minke run --where`: facts.os.release = "12", facts.os exists, facts.packages ~ nginx, facts.cpu.count >= 4',
    ),
  ...paging,
});

/**
 * A page of a fact's history: by offset (at most `maxOffset` deep), or after a version the reader
 * has, at any depth (`before`, the `resultId` of the last version of the page before).
 */
export const factHistoryQuery = (maxOffset: number) =>
  z.object({
    plugin: z.string(),
    limit: paging.limit,
    offset: z.coerce.number().int().min(0).max(maxOffset).optional(),
    before: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe(
        'the resultId of a version: the page starts with the one before it (any depth; not with offset)',
      ),
  });
