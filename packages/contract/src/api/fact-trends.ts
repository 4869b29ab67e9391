import { z } from 'zod';
import { pageOf, paging } from './common.js';

/** A fact path: the plugin, and keys into the JSON it reported (`root.used_percent`). */
const factPath = {
  plugin: z.string().describe('the plugin that reported the fact, as in `os`'),
  path: z
    .string()
    .default('')
    .describe('dot-separated keys into its value (`root.used_percent`; digits index a list)'),
};

/** The most points one series reply carries (all its hosts together). */
export const MAX_SERIES_POINTS = 10_000;

export const factSeriesQuery = z.object({
  ...factPath,
  host: z.string().optional().describe('one host; every host with the fact when absent'),
  since: z.iso.datetime({ offset: true }).optional().describe('default: 30 days ago'),
  until: z.iso.datetime({ offset: true }).optional().describe('default: now'),
  maxPoints: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_SERIES_POINTS)
    .optional()
    .describe(`the most points in the reply (default 1000, at most ${MAX_SERIES_POINTS})`),
  ...paging,
});
export type FactSeriesQuery = z.infer<typeof factSeriesQuery>;

export const factPoint = z.object({ at: z.string(), value: z.number() });
export type FactPoint = z.infer<typeof factPoint>;

export const hostSeries = z.object({
  host: z.string(),
  node: z.string(),
  points: z.array(factPoint).describe('oldest first; the first may be the value held at `since`'),
});
export type HostSeries = z.infer<typeof hostSeries>;

export const factSeries = z.object({
  plugin: z.string(),
  path: z.string(),
  since: z.string(),
  until: z.string(),
  hosts: z.array(hostSeries),
  skipped: z
    .number()
    .int()
    .describe('versions whose value at the path is missing or not a number (left out)'),
  cut: z.boolean().describe('more points than maxPoints: only the newest are here'),
  message: z.string().nullable().describe('what was cut and how to see the rest'),
  total: z.number().int().describe('hosts with the fact'),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type FactSeries = z.infer<typeof factSeries>;

export const factChangesQuery = z.object({
  ...factPath,
  days: z.coerce.number().int().min(1).max(366).optional().describe('default 7'),
  ...paging,
});
export type FactChangesQuery = z.infer<typeof factChangesQuery>;

export const factValueChange = z.object({
  host: z.string(),
  node: z.string(),
  at: z.string(),
  before: z
    .string()
    .nullable()
    .describe('as the fact search compares it (strings bare, the rest as JSON); null: missing'),
  after: z.string().nullable().describe('null: the path is gone'),
});
export type FactValueChange = z.infer<typeof factValueChange>;

export const factChangesPage = pageOf(factValueChange)
  .extend({
    plugin: z.string(),
    path: z.string(),
    since: z.string(),
    cut: z.boolean().describe('the period had more versions than are read at once'),
    message: z.string().nullable(),
  })
  .describe('newest first');
export type FactChangesPage = z.infer<typeof factChangesPage>;

export const factDistributionQuery = z.object({
  ...factPath,
  top: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .describe('how many values to name (default 10); the rest count as other'),
});
export type FactDistributionQuery = z.infer<typeof factDistributionQuery>;

export const factValueCount = z.object({
  value: z.string().describe('as the fact search compares it: strings bare, the rest as JSON'),
  hosts: z.number().int(),
});
export type FactValueCount = z.infer<typeof factValueCount>;

export const factDistribution = z.object({
  plugin: z.string(),
  path: z.string(),
  values: z.array(factValueCount).describe('the commonest first'),
  other: z.object({
    values: z.number().int().describe('distinct values not named'),
    hosts: z.number().int(),
  }),
  missing: z.number().int().describe('hosts with the plugin’s fact but nothing at the path'),
  total: z.number().int().describe('hosts with the plugin’s fact'),
});
export type FactDistribution = z.infer<typeof factDistribution>;
