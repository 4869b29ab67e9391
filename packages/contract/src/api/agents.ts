import { z } from 'zod';
import { pageOf, paging } from './common.js';

/**
 * A plugin's result format, as its agent reported it. The list of formats is the agent protocol's
 * (`RESULT_FORMATS` in `@minke/protocol`, only ever appended to); the contract runs in the browser
 * and may not import the protocol, so it takes the name as text rather than keeping a second copy
 * of the list in step.
 */
export const resultFormat = z
  .string()
  .describe("the plugin's result_format (json, yaml, output, string, raw, pylist, pydict, ...)");
export type ResultFormat = z.infer<typeof resultFormat>;

export const pluginInfo = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  format: resultFormat.optional(),
  interval: z.number().optional(),
  commandAlias: z.string().optional().describe("the plugin file's command_alias, for people"),
});
export type PluginInfo = z.infer<typeof pluginInfo>;

export const rejectedPlugin = z.looseObject({ file: z.string(), reason: z.string() });
export type RejectedPlugin = z.infer<typeof rejectedPlugin>;

export const agentItem = z.object({
  id: z.number(),
  node: z.string(),
  hostId: z.number().nullable(),
  hostName: z.string().nullable(),
  enrolled: z.boolean(),
  enrolledAt: z.string().nullable(),
  lastSeen: z.string().nullable(),
  online: z.boolean(),
  agentVersion: z.string().nullable(),
  plugins: z.array(pluginInfo).describe('the plugins the agent authorizes'),
  rejected: z.array(rejectedPlugin).describe('plugin files the agent refused, with the reason'),
  lastRefusal: z
    .object({ reason: z.string(), at: z.string() })
    .nullable()
    .describe(
      'the last result the server refused from this agent (too large, too frequent, not asked for)',
    ),
});
export type AgentItem = z.infer<typeof agentItem>;

export const agentPage = pageOf(agentItem).extend({
  fleet: z.object({ total: z.number(), online: z.number() }).describe('the whole fleet'),
});
export type AgentPage = z.infer<typeof agentPage>;

export const agentsQuery = z.object({
  online: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => (value === undefined ? undefined : value === 'true'))
    .describe('only online (true) or offline (false) agents'),
  search: z.string().optional().describe('part of the node or host name'),
  ...paging,
});
export const agentParams = z.object({ node: z.string() });

export const dispatchBody = z
  .object({
    plugin: z.string().min(1).describe('the plugin to run, as the agents name it'),
    nodes: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('node names (host names of hosts with an agent work too)'),
    all: z.literal(true).optional().describe('every agent: one broadcast'),
    where: z
      .string()
      .min(1)
      .optional()
      .describe('the agents of the hosts that match, as in `minke dispatch --where`'),
    ttlSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600)
      .optional()
      .describe('how long offline nodes may still get it (default 3600)'),
  })
  .strict()
  .describe('exactly one of nodes, all, where');

export const dispatchReply = z.object({
  id: z.string(),
  plugin: z.string(),
  nodes: z.array(z.string()),
  skipped: z.array(z.string()).describe('matching hosts without an agent'),
  expiresAt: z.string(),
});
export type DispatchReply = z.infer<typeof dispatchReply>;

export const TARGET_STATES = ['pending', 'delivered', 'answered', 'failed', 'expired'] as const;
export const targetState = z.enum(TARGET_STATES);
export type TargetState = z.infer<typeof targetState>;
/** A node's state that no longer changes: waiting for the request ends when all are here. */
export const FINAL_TARGET_STATES: readonly TargetState[] = ['answered', 'failed', 'expired'];

export const requestStatus = z.object({
  id: z.string(),
  plugin: z.string(),
  selection: z.record(z.string(), z.unknown()),
  state: z.enum(['open', 'done']),
  createdAt: z.string(),
  expiresAt: z.string(),
  createdBy: z.string().nullable(),
  targets: z.array(
    z.object({
      node: z.string(),
      state: targetState,
      error: z.string().nullable(),
      resultId: z.string().nullable(),
      answeredAt: z.string().nullable(),
    }),
  ),
});
export type RequestStatus = z.infer<typeof requestStatus>;
export const dispatchParams = z.object({ id: z.string() });

export const agentEnrollBody = z
  .object({
    brokerUrl: z
      .string()
      .optional()
      .describe('the broker as the agent reaches it (default: from the server settings)'),
    spoolBase: z
      .string()
      .optional()
      .describe("the node's folder for agent spools; the agent gets <spoolBase>/<node>"),
  })
  .strict();

/** An agent's config file, as `minke-agent run --config FILE` reads it. */
export const agentConfigSettings = z.object({
  node: z.string(),
  brokerUrl: z.string(),
  username: z.string(),
  password: z.string().describe("the agent's broker password: shown in this reply only"),
  serverPublicKey: z.string(),
  topicPrefix: z.string(),
  spoolDir: z.string(),
  brokerFingerprint: z.string().optional(),
  brokerCa: z.string().optional(),
});
export type AgentConfigSettings = z.infer<typeof agentConfigSettings>;

/** A node enrolled (or enrolled again: its old password stops working), with its config. */
export const agentEnrollment = z.object({
  node: z.string(),
  hostName: z.string().nullable(),
  brokerUrl: z.string(),
  /** True when the broker is external: it must learn the agent's credentials itself. */
  externalBroker: z.boolean(),
  spoolDir: z.string(),
  brokerFingerprint: z.string().nullable(),
  config: agentConfigSettings,
});
export type AgentEnrollment = z.infer<typeof agentEnrollment>;
