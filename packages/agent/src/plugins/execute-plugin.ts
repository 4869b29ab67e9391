import { randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION, type Result } from '@minke/protocol';
import { parseOutput } from './parse-output.js';
import type { Plugin } from './plugin.js';
import { runPlugin, type RunOutcome, type RunOptions } from './run-plugin.js';

export interface ExecuteContext {
  node: string;
  /** Absent when the agent runs the plugin on its own schedule. */
  requestId?: string;
  /** Aborted when the agent stops. */
  signal?: AbortSignal;
  /** Replaceable for tests. */
  run?: (options: RunOptions) => Promise<RunOutcome>;
}

/** The error result for a plugin this node does not have (Vogeler: "not authorized for this host"). */
export const NOT_AUTHORIZED = 'not authorized on this node';

/** Failed results carry at most this much of the unparsed output, to help find out why. */
const RAW_EXCERPT_CHARS = 64 * 1024;

/**
 * Runs a plugin and describes the run as a {@link Result}: parsed value when the command exited
 * with 0 and its output reads in the plugin's format, an error saying what went wrong otherwise.
 */
export async function executePlugin(plugin: Plugin, context: ExecuteContext): Promise<Result> {
  const run = context.run ?? runPlugin;
  const options: RunOptions = {
    argv: plugin.argv,
    timeoutMs: plugin.timeoutMs,
    maxOutputBytes: plugin.maxOutputBytes,
  };
  if (context.signal) options.signal = context.signal;
  const outcome = await run(options);
  const stdout = outcome.stdout.toString('utf8');
  const result: Result = {
    ...resultBase(plugin.name, context, outcome.startedAt, outcome.finishedAt),
    ok: false,
    format: plugin.format,
  };
  if (outcome.spawnError === undefined) result.exitCode = outcome.exitCode;
  if (outcome.signal) result.signal = outcome.signal;
  if (outcome.truncated) result.truncated = true;
  const stderr = outcome.stderr.toString('utf8');
  if (stderr !== '') result.stderr = stderr;

  const failure = runFailure(plugin, outcome, stderr);
  if (failure) {
    result.error = failure;
    if (stdout !== '') result.raw = stdout.slice(0, RAW_EXCERPT_CHARS);
    return result;
  }
  const parsed = parseOutput(plugin.format, stdout, outcome.truncated);
  if (!parsed.ok) {
    result.error = parsed.error;
    result.raw = stdout.slice(0, RAW_EXCERPT_CHARS);
    return result;
  }
  result.ok = true;
  result.value = parsed.value;
  return result;
}

/** The error result for a request naming a plugin this node does not authorize. */
export function notAuthorizedResult(pluginName: string, context: ExecuteContext): Result {
  const now = new Date();
  return { ...resultBase(pluginName, context, now, now), ok: false, error: NOT_AUTHORIZED };
}

function resultBase(plugin: string, context: ExecuteContext, startedAt: Date, finishedAt: Date) {
  return {
    v: PROTOCOL_VERSION,
    id: randomUUID(),
    ...(context.requestId === undefined ? {} : { requestId: context.requestId }),
    node: context.node,
    plugin,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.max(0, finishedAt.getTime() - startedAt.getTime()),
  };
}

function runFailure(plugin: Plugin, outcome: RunOutcome, stderr: string): string | undefined {
  if (outcome.spawnError !== undefined) return outcome.spawnError;
  if (outcome.aborted) return 'stopped because the agent is shutting down';
  if (outcome.timedOut) return `timed out after ${plugin.timeoutMs / 1000} s and was killed`;
  // Stopped by us for writing too much: what it wrote is the result, marked truncated.
  if (outcome.truncated) return undefined;
  if (outcome.exitCode === 0) return undefined;
  const how =
    outcome.exitCode === null
      ? `was killed by ${outcome.signal ?? 'a signal'}`
      : `exited with code ${outcome.exitCode}`;
  const firstLine = stderr.trim().split('\n')[0];
  return firstLine ? `command ${how}: ${firstLine.slice(0, 500)}` : `command ${how}`;
}
