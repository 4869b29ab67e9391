import { afterEach, describe, expect, it } from 'vitest';
import { ChannelLimiter } from './exec/channel-limiter.js';
import { ConnectionPool } from './connection-pool.js';
import type {
  CommandResult,
  ExecOptions,
  GetOptions,
  PutOptions,
  PutSource,
  TransferResult,
  Transport,
} from './transport.js';

/** A transport that counts what the pool does with it; commands take `delayMs`. */
class CountingTransport implements Transport {
  readonly kind = 'local' as const;
  connected = false;
  connects = 0;
  closes = 0;
  active = 0;
  maxActive = 0;
  constructor(private readonly delayMs = 10) {}
  connect() {
    this.connects += 1;
    this.connected = true;
    return Promise.resolve();
  }
  async exec(command: string, _options?: ExecOptions): Promise<CommandResult> {
    if (!this.connected) await this.connect();
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.active -= 1;
    const now = new Date();
    return {
      command,
      exitCode: 0,
      stdout: command,
      stderr: '',
      startedAt: now,
      finishedAt: now,
      durationMs: 0,
      pty: false,
      killed: false,
      timedOut: false,
    };
  }
  /** A transfer is busy like a command (it holds a channel too). */
  async put(_source: PutSource, remotePath: string, _options?: PutOptions) {
    await this.exec(`put ${remotePath}`);
    return this.transferred('put', remotePath);
  }
  async get(remotePath: string, _options?: GetOptions) {
    await this.exec(`get ${remotePath}`);
    return this.transferred('get', remotePath);
  }
  private transferred(direction: 'put' | 'get', remotePath: string): TransferResult {
    const now = new Date();
    return { direction, remotePath, bytes: 0, startedAt: now, finishedAt: now, durationMs: 0 };
  }
  close() {
    this.closes += 1;
    this.connected = false;
    return Promise.resolve();
  }
}

describe('ChannelLimiter', () => {
  it('runs at most limit tasks and keeps arrival order', async () => {
    const limiter = new ChannelLimiter(2);
    const order: number[] = [];
    let active = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        limiter.run(async () => {
          active += 1;
          max = Math.max(max, active);
          order.push(i);
          await new Promise((resolve) => setTimeout(resolve, 5));
          active -= 1;
        }),
      ),
    );
    expect(max).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(limiter.running).toBe(0);
  });

  it('frees the slot when a task fails', async () => {
    const limiter = new ChannelLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
  });
});

describe('ConnectionPool', () => {
  let pool: ConnectionPool;
  afterEach(() => pool.closeAll());

  it('closes an idle connection when asked, and leaves one a command still uses', async () => {
    pool = new ConnectionPool();
    const created: CountingTransport[] = [];
    const handle = pool.transportFor('web1', () => {
      const transport = new CountingTransport(30);
      created.push(transport);
      return transport;
    });
    await handle.exec('first');
    await pool.closeIdle('web1');
    expect(created[0]?.closes).toBe(1);
    expect(pool.size).toBe(0);
    // The next command opens a new connection; asked to close meanwhile, the pool lets it finish.
    const running = handle.exec('second');
    await pool.closeIdle('web1');
    await expect(running).resolves.toMatchObject({ exitCode: 0, stdout: 'second' });
    expect(created).toHaveLength(2);
    expect(created[1]?.closes).toBe(0);
    await pool.closeIdle('nobody'); // an unknown key is nothing to close
  });

  it('shares one transport per key and caps concurrent commands', async () => {
    pool = new ConnectionPool({ maxChannels: 3 });
    const created: CountingTransport[] = [];
    const create = () => {
      const transport = new CountingTransport();
      created.push(transport);
      return transport;
    };
    const a = pool.transportFor('web1', create);
    const b = pool.transportFor('web1', create);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).exec(`c${i}`)),
    );
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 10 }, (_, i) => `c${i}`));
    expect(created).toHaveLength(1);
    expect(created[0]!.maxActive).toBe(3);
    expect(created[0]!.connects).toBe(1);
    pool.transportFor('web2', create);
    await pool.transportFor('web2', create).exec('x');
    expect(created).toHaveLength(2);
  });

  it('counts transfers against the channel cap like commands', async () => {
    pool = new ConnectionPool({ maxChannels: 2 });
    const transport = new CountingTransport();
    const handle = pool.transportFor('web1', () => transport);
    const done = await Promise.all([
      handle.put({ content: 'x' }, '/a'),
      handle.get('/b'),
      handle.exec('c'),
      handle.put('/local', '/d'),
    ]);
    expect(done.map((d) => ('direction' in d ? d.direction : d.command))).toEqual([
      'put',
      'get',
      'c',
      'put',
    ]);
    expect(transport.maxActive).toBe(2);
  });

  it('lets a session close its handle without closing the shared connection', async () => {
    pool = new ConnectionPool();
    const transport = new CountingTransport();
    const handle = pool.transportFor('web1', () => transport);
    await handle.exec('a');
    await handle.close();
    expect(transport.closes).toBe(0);
    await pool.closeAll();
    expect(transport.closes).toBe(1);
    expect(pool.size).toBe(0);
  });

  it('closes idle connections and reconnects for the next command', async () => {
    pool = new ConnectionPool({ idleTimeoutMs: 30 });
    const transport = new CountingTransport();
    const handle = pool.transportFor('web1', () => transport);
    await handle.exec('a');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(transport.closes).toBe(1);
    expect(handle.connected).toBe(false);
    await handle.exec('b');
    expect(transport.connects).toBe(2);
  });
});
