/** What the agents and facts routes answer (see docs/api.md, "Agents and facts"). */

export type ResultFormat = 'json' | 'yaml' | 'output' | 'string' | 'raw' | 'pylist' | 'pydict';

export interface PluginInfo {
  name: string;
  description?: string;
  format?: ResultFormat;
  interval?: number;
  /** Vogeler's `command_alias`, for people. */
  commandAlias?: string;
}

export interface RejectedPlugin {
  file: string;
  reason: string;
}

export interface AgentItem {
  id: number;
  node: string;
  hostId: number | null;
  hostName: string | null;
  enrolled: boolean;
  enrolledAt: string | null;
  lastSeen: string | null;
  online: boolean;
  agentVersion: string | null;
  plugins: PluginInfo[];
  rejected: RejectedPlugin[];
  /** The last result the server refused from this agent (too large, too frequent, not asked). */
  lastRefusal: { reason: string; at: string } | null;
}

export interface AgentPage {
  items: AgentItem[];
  total: number;
  limit: number;
  offset: number;
  fleet: { total: number; online: number };
}

export interface FactRecord {
  node: string;
  plugin: string;
  format: ResultFormat;
  value: unknown;
  collectedAt: string;
  requestId: string | null;
  resultId: string;
}

export interface HostFacts {
  host: string;
  agent: { node: string; online: boolean; lastSeen: string | null } | null;
  facts: FactRecord[];
}

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface FactChange {
  path: string[];
  kind: ChangeKind;
  before?: unknown;
  after?: unknown;
}

export interface FactVersion extends FactRecord {
  /** Against the version before it; null for the first one. */
  changes: FactChange[] | null;
}

export interface FactHistoryPage {
  host: string;
  plugin: string;
  node: string | null;
  items: FactVersion[];
  total: number;
  limit: number;
  offset: number;
}

export interface FactSearchHit {
  hostId: number;
  host: string;
  node: string | null;
  online: boolean | null;
  values: Record<string, unknown>;
}

export interface FactSearchPage {
  paths: string[];
  items: FactSearchHit[];
  total: number;
  limit: number;
  offset: number;
}

export interface DispatchReply {
  id: string;
  plugin: string;
  nodes: string[];
  skipped: string[];
  expiresAt: string;
}

export type TargetState = 'pending' | 'delivered' | 'answered' | 'failed' | 'expired';

export interface RequestStatus {
  id: string;
  plugin: string;
  state: 'open' | 'done';
  createdAt: string;
  expiresAt: string;
  createdBy: string | null;
  targets: {
    node: string;
    state: TargetState;
    error: string | null;
    answeredAt: string | null;
  }[];
}
