import { ChannelLimiter } from './exec/channel-limiter.js';
import type { Transport } from './transport.js';

export interface ConnectionPoolOptions {
  /** Concurrent commands per connection unless a host says otherwise (see `maxChannels`). */
  maxChannels?: number;
  /** A connection that ran nothing for this long is closed; 0 keeps connections open. */
  idleTimeoutMs?: number;
}

export interface PoolHostOptions {
  maxChannels?: number;
  idleTimeoutMs?: number;
}

interface Entry {
  transport: Transport;
  limiter: ChannelLimiter;
  idleTimeoutMs: number;
  busy: number;
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * One connection per host, shared by all sessions on that host. Commands beyond the host's
 * channel cap wait their turn; a dropped connection is reopened by the next command (the
 * transports connect on use); a connection idle for `idleTimeoutMs` is closed.
 *
 * Sessions get a `Transport` from `transportFor`; its `close()` only lets go of the connection,
 * which belongs to the pool (and to the other sessions on the same host) until `closeAll()`.
 *
 * @example
 *   const pool = new ConnectionPool({ idleTimeoutMs: 60_000 });
 *   const c = pool.transportFor('web1', () => new SshTransport(config), { maxChannels: config.maxChannels });
 *   await c.exec('uptime');
 */
export class ConnectionPool {
  private readonly entries = new Map<string, Entry>();
  private readonly maxChannels: number;
  private readonly idleTimeoutMs: number;

  constructor(options: ConnectionPoolOptions = {}) {
    this.maxChannels = options.maxChannels ?? 8;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  }

  /** Hosts with a connection (open or idle-closed but not yet forgotten). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * A handle on the shared connection to `key`. `create` is called only when the pool has no
   * connection for that key yet (the first caller's options win for that connection).
   */
  transportFor(key: string, create: () => Transport, options: PoolHostOptions = {}): Transport {
    const entry = () => this.entry(key, create, options);
    const isConnected = () => this.entries.get(key)?.transport.connected ?? false;
    return {
      get kind() {
        return entry().transport.kind;
      },
      get connected() {
        return isConnected();
      },
      connect: () => entry().transport.connect(),
      exec: (command, execOptions) =>
        this.use(entry(), (transport) => transport.exec(command, execOptions)),
      // A transfer holds an SFTP channel while it lasts: it counts against the cap as a command.
      put: (source, remotePath, putOptions) =>
        this.use(entry(), (transport) => transport.put(source, remotePath, putOptions)),
      get: (remotePath, getOptions) =>
        this.use(entry(), (transport) => transport.get(remotePath, getOptions)),
      close: () => Promise.resolve(),
    };
  }

  /**
   * Closes the connection to `key` and forgets it, unless a command still uses it (then it stays
   * for that command's sake and idles out as usual). For a process that knows no more work will
   * come for a host, such as a CLI's one run: the host's SSH session ends as soon as its own work
   * does, rather than all of them together at the end.
   */
  async closeIdle(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry || entry.busy > 0) return;
    this.entries.delete(key);
    clearTimeout(entry.idleTimer);
    await entry.transport.close().catch(() => undefined);
  }

  /** Closes every connection (killing what still runs on them) and forgets them. */
  async closeAll(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) clearTimeout(entry.idleTimer);
    await Promise.allSettled(entries.map((entry) => entry.transport.close()));
  }

  private entry(key: string, create: () => Transport, options: PoolHostOptions): Entry {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {
        transport: create(),
        limiter: new ChannelLimiter(options.maxChannels ?? this.maxChannels),
        idleTimeoutMs: options.idleTimeoutMs ?? this.idleTimeoutMs,
        busy: 0,
        idleTimer: undefined,
      };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private async use<T>(entry: Entry, work: (transport: Transport) => Promise<T>): Promise<T> {
    clearTimeout(entry.idleTimer);
    entry.busy += 1;
    try {
      return await entry.limiter.run(() => work(entry.transport));
    } finally {
      entry.busy -= 1;
      if (entry.busy === 0) this.scheduleIdleClose(entry);
    }
  }

  /** Idle-closing keeps the entry (and its limiter): the next command simply reconnects. */
  private scheduleIdleClose(entry: Entry): void {
    if (!entry.idleTimeoutMs) return;
    entry.idleTimer = setTimeout(() => {
      if (entry.busy === 0) void entry.transport.close().catch(() => undefined);
    }, entry.idleTimeoutMs);
    entry.idleTimer.unref();
  }
}
