import type { Command } from 'commander';
import type { DispatchReply } from '@minke/contract';
import { UsageError } from '../cli-error.js';
import { localOrRemote } from '../local-or-remote.js';
import { stdoutOut, type Out } from '../output.js';
import type { GlobalOptions } from '../project-context.js';
import type { DispatchAsk, DispatchSource } from '../remote/remote-dispatch.js';
import type { NodeOutcome } from '../../facts/request-wait.js';

interface DispatchOptions {
  node?: string[];
  all?: boolean;
  where?: string;
  wait?: boolean;
  timeout: string;
  ttl?: string;
  json?: boolean;
}

/**
 * `minke dispatch PLUGIN (--node N... | --all | --where EXPR) [--wait] [--timeout S]`, on the
 * project or, with `--server`, through a server's API.
 */
/** The project's ledger or, with --server, a server's API (change_host), printed the same. */
const withDispatch = localOrRemote<DispatchSource>({
  remote: async (api) => (await import('../remote/remote-dispatch.js')).remoteDispatch(api),
  local: async (project) => (await import('./dispatch-local.js')).localDispatch(project),
});

export function registerDispatchCommand(program: Command): void {
  program
    .command('dispatch <plugin>')
    .description(
      'ask agents to run a plugin; the running server delivers the request (offline nodes get it when they return)',
    )
    .option('--node <node...>', 'these nodes (node or host names)')
    .option('--all', 'every agent (one broadcast)')
    .option('--where <expr>', 'the agents of the hosts that match, e.g. "groups.name = web"')
    .option('--wait', 'wait for the answers: one line per node; exit 1 if any failed or timed out')
    .option('--timeout <seconds>', 'with --wait: how long to wait', '60')
    .option('--ttl <seconds>', 'how long the request stays valid for offline nodes (default 3600)')
    .option('--json', 'print JSON')
    .action(async (plugin: string, options: DispatchOptions) => {
      const out = stdoutOut();
      const chosen = [
        options.node !== undefined,
        options.all === true,
        options.where !== undefined,
      ];
      if (chosen.filter(Boolean).length !== 1) {
        throw new UsageError('choose the nodes with exactly one of --node, --all, --where');
      }
      const timeoutMs = seconds(options.timeout, '--timeout') * 1000;
      const ttlSeconds = options.ttl === undefined ? undefined : seconds(options.ttl, '--ttl');
      const ask: DispatchAsk = {
        plugin,
        nodes: options.node,
        all: options.all,
        where: options.where,
        ttlSeconds,
      };
      await withDispatch(program.opts<GlobalOptions>(), async (source) => {
        const request = await source.dispatch(ask);
        if (!options.wait) {
          if (options.json) return out.json(request);
          out.line(
            `request ${request.id}: ${plugin} for ${request.nodes.length} node(s), valid until ${request.expiresAt}`,
          );
          printSkipped(out, request);
          return;
        }
        if (!options.json) printSkipped(out, request);
        await waitAndPrint(out, source, request, { timeoutMs, json: options.json === true });
      });
    });
}

async function waitAndPrint(
  out: Out,
  source: DispatchSource,
  request: DispatchReply,
  options: { timeoutMs: number; json: boolean },
): Promise<void> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  try {
    // Loaded when waiting: it reads the contract's states, and the contract loads zod.
    const { waitForRequestStatus } = await import('../../facts/request-wait.js');
    const { outcomes } = await waitForRequestStatus((id) => source.status(id), request.id, {
      timeoutMs: options.timeoutMs,
      pollMs: source.pollMs,
      signal: abort.signal,
      onFinal: options.json ? undefined : (outcome) => out.line(outcomeLine(outcome)),
    }).catch((error: unknown) => {
      // The request was made and stands (answers become facts as they come): name it, so that
      // a user whose server went away while waiting knows it and has its id.
      if (error instanceof Error)
        error.message = `${error.message} (while waiting for request ${request.id}, which stands: its answers are stored as facts when they come)`;
      throw error;
    });
    const late = outcomes.filter((outcome) => outcome.state === 'timeout');
    if (options.json) out.json({ ...request, outcomes });
    else {
      for (const outcome of late) out.line(outcomeLine(outcome));
      out.line(summary(outcomes));
    }
    if (outcomes.some((outcome) => outcome.state !== 'answered')) process.exitCode = 1;
  } finally {
    process.off('SIGINT', stop);
  }
}

function outcomeLine(outcome: NodeOutcome): string {
  switch (outcome.state) {
    case 'answered':
      return `${outcome.node}  ok`;
    case 'failed':
      return `${outcome.node}  failed: ${outcome.error ?? 'no reason given'}`;
    case 'expired':
      return `${outcome.node}  expired: the node did not answer in time`;
    default:
      return `${outcome.node}  timed out: ${outcome.error ?? 'no answer'}`;
  }
}

function summary(outcomes: readonly NodeOutcome[]): string {
  const count = (state: NodeOutcome['state']) => outcomes.filter((o) => o.state === state).length;
  const parts = [
    `${count('answered')} ok`,
    `${count('failed')} failed`,
    `${count('timeout') + count('expired')} timed out`,
  ];
  return `${outcomes.length} node(s): ${parts.join(', ')}`;
}

function printSkipped(out: Out, { nodes, skipped }: DispatchReply): void {
  if (nodes.length === 0 && skipped.length === 0) {
    out.line('no agent was asked: enrol one with `minke agents enroll NODE --out FILE`');
    return;
  }
  if (skipped.length === 0) return;
  const shown = skipped.slice(0, 20).join(', ');
  out.line(
    `no agent on ${skipped.length} matching host(s): ${shown}${skipped.length > 20 ? ', ...' : ''}`,
  );
}

function seconds(text: string, flag: string): number {
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) {
    throw new UsageError(`${flag} "${text}": expected a number of seconds`);
  }
  return Number(text);
}
