// The yardstick of the fan-out benchmark: the least a Node process can do to run one command on
// N hosts with ssh2 (connect, exec, close), with the same concurrency, ports and key as Minke,
// and, like Minke, refusing a server whose host key is not the expected one.
// ssh2 is CommonJS: Node's ESM loader sees only its default export.
import ssh2 from 'ssh2';

export interface FanoutTarget {
  /** `h-0001`, ...: the host record's name on the Minke side. */
  name: string;
  host: string;
  port: number;
}

export interface BareOptions {
  user: string;
  privateKey: Buffer;
  /** The server's host key blob, as ssh2 hands it to `hostVerifier`. */
  hostKey: Buffer;
  concurrency: number;
  command: string;
  /** A host that takes longer than this counts as failed (and its connection is cut). */
  hostTimeoutMs: number;
}

export interface BareOutcome {
  failures: { target: string; message: string }[];
}

/** Runs `command` on every target, at most `concurrency` at a time. */
export async function runBare(targets: FanoutTarget[], options: BareOptions): Promise<BareOutcome> {
  const failures: BareOutcome['failures'] = [];
  await forEachLimited(targets, options.concurrency, async (target) => {
    try {
      await connectExecClose(target, options);
    } catch (error) {
      failures.push({ target: target.name, message: (error as Error).message });
    }
  });
  return { failures };
}

/** Calls `task` for every item, `limit` at a time, in order of the items. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** One host: connect, run the command, check it exited 0, close, wait for the close. */
function connectExecClose(target: FanoutTarget, options: BareOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let settled = false;
    let exitCode: number | null | undefined;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        client.destroy();
        reject(error);
      } else resolve();
    };
    const timer = setTimeout(
      () => settle(new Error(`no result within ${options.hostTimeoutMs} ms`)),
      options.hostTimeoutMs,
    );
    client.on('error', (error) => settle(error));
    client.on('close', () =>
      settle(exitCode === 0 ? undefined : new Error(`closed (exit code ${String(exitCode)})`)),
    );
    client.on('ready', () => {
      client.exec(options.command, (error, channel) => {
        if (error) return settle(error);
        channel.on('exit', (code: number | null) => (exitCode = code));
        channel.on('close', () => client.end());
        // Drain both streams, or a chatty command could stall on flow control.
        channel.resume();
        channel.stderr.resume();
      });
    });
    client.connect({
      host: target.host,
      port: target.port,
      username: options.user,
      privateKey: options.privateKey,
      readyTimeout: options.hostTimeoutMs,
      hostVerifier: (key: Buffer) => key.equals(options.hostKey),
    });
  });
}
