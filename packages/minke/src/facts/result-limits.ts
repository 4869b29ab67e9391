import type { RefusalCode } from './result-refusal.js';

/** How much one node may send; both from `agents.*` in the project's config. */
export interface ResultLimitSettings {
  /** A result message bigger than this is refused. */
  maxResultBytes: number;
  /** Results one node may send per minute, with bursts up to the same number. */
  maxResultsPerMinute: number;
}

export const DEFAULT_RESULT_LIMITS: ResultLimitSettings = {
  maxResultBytes: 1024 * 1024,
  maxResultsPerMinute: 120,
};

/** Nodes remembered at most; past it, those with a full allowance are forgotten (they lose nothing). */
const MAX_TRACKED_NODES = 100_000;

interface Allowance {
  tokens: number;
  at: number;
}

/**
 * The per-node quota on results: a size limit per message and a token bucket per node (refilled
 * at `maxResultsPerMinute / 60` a second, holding at most `maxResultsPerMinute`), so a node that
 * reports steadily is never refused, a node back from an outage may send a minute's worth at
 * once, and one that floods is refused until it slows down. Per server process: several servers
 * behind one broker each allow the full rate.
 */
export class ResultLimits {
  private readonly allowances = new Map<string, Allowance>();

  constructor(private readonly settings: ResultLimitSettings = DEFAULT_RESULT_LIMITS) {}

  /** Takes one result of `bytes` from `node`'s allowance, or says why it is refused. */
  check(
    node: string,
    bytes: number,
    now = Date.now(),
  ): { code: RefusalCode; message: string } | undefined {
    const { maxResultBytes, maxResultsPerMinute } = this.settings;
    if (bytes > maxResultBytes) {
      return {
        code: 'too-large',
        message: `result is ${bytes} bytes, more than the server's limit of ${maxResultBytes} (agents.maxResultBytes)`,
      };
    }
    const allowance = this.refilled(node, now);
    if (allowance.tokens < 1) {
      return {
        code: 'rate-limited',
        message: `more than ${maxResultsPerMinute} results a minute from this node (agents.maxResultsPerMinute)`,
      };
    }
    allowance.tokens -= 1;
    return undefined;
  }

  private refilled(node: string, now: number): Allowance {
    const capacity = this.settings.maxResultsPerMinute;
    let allowance = this.allowances.get(node);
    if (!allowance) {
      if (this.allowances.size >= MAX_TRACKED_NODES) this.forgetFull(now);
      allowance = { tokens: capacity, at: now };
      this.allowances.set(node, allowance);
      return allowance;
    }
    const elapsed = Math.max(0, now - allowance.at);
    allowance.tokens = Math.min(capacity, allowance.tokens + (elapsed * capacity) / 60_000);
    allowance.at = now;
    return allowance;
  }

  private forgetFull(now: number): void {
    for (const [node, allowance] of this.allowances) {
      if (now - allowance.at >= 60_000) this.allowances.delete(node);
    }
  }
}
