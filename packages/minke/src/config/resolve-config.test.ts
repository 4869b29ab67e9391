import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from './resolve-config.js';

const where = { projectDir: '/p', configFile: '/p/minke.config.ts' };
const tmp = mkdtempSync(join(tmpdir(), 'minke-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('resolveConfig', () => {
  it('fills defaults', () => {
    const config = resolveConfig({}, where, {});
    expect(config).toMatchObject({
      database: { url: 'sqlite:minke.db', password: undefined },
      pluginsDir: 'plugins',
      server: { listen: '127.0.0.1', port: 8000 },
      executor: { maxParallelHosts: 256 },
      debug: false,
    });
  });

  it('lets MINKE_* variables win over the file', () => {
    const config = resolveConfig({ database: 'sqlite:a.db', server: { port: 9000 } }, where, {
      MINKE_DATABASE_URL: 'postgres://minke@127.0.0.1/minke',
      MINKE_PORT: '8080',
      MINKE_LISTEN: '0.0.0.0',
      MINKE_DEBUG: 'yes',
      MINKE_MAX_PARALLEL_HOSTS: '32',
      MINKE_PLUGINS_DIR: '/etc/minke/plugins',
    });
    expect(config).toMatchObject({
      database: { url: 'postgres://minke@127.0.0.1/minke' },
      server: { listen: '0.0.0.0', port: 8080 },
      debug: true,
      executor: { maxParallelHosts: 32 },
      pluginsDir: '/etc/minke/plugins',
    });
  });

  it('takes an empty variable as unset (an env file with NAME= in it)', () => {
    const config = resolveConfig(
      { database: 'sqlite:from-file.db', server: { listen: '10.0.0.1' } },
      where,
      { MINKE_DATABASE_URL: '', MINKE_LISTEN: '', MINKE_PLUGINS_DIR: '' },
    );
    expect(config).toMatchObject({
      database: { url: 'sqlite:from-file.db' },
      server: { listen: '10.0.0.1' },
      pluginsDir: expect.stringMatching(/plugins$/) as unknown,
    });
  });

  it('reads secrets from the environment or a file only', () => {
    const file = join(tmp, 'db-password');
    writeFileSync(file, 's3cret\n');
    expect(resolveConfig({}, where, { MINKE_DATABASE_PASSWORD_FILE: file }).database.password).toBe(
      's3cret',
    );
    expect(resolveConfig({}, where, { MINKE_DATABASE_PASSWORD: 'direct' }).database.password).toBe(
      'direct',
    );
    expect(() =>
      resolveConfig({}, where, { MINKE_DATABASE_PASSWORD_FILE: join(tmp, 'missing') }),
    ).toThrow('MINKE_DATABASE_PASSWORD_FILE: cannot read');
  });

  it('names the setting and the source of a bad value', () => {
    expect(() => resolveConfig({ databse: 'x' }, where, {})).toThrow(
      '/p/minke.config.ts: databse: unknown setting',
    );
    expect(() => resolveConfig({ server: { port: 'eighty' } }, where, {})).toThrow(
      '/p/minke.config.ts: server.port:',
    );
    expect(() => resolveConfig({}, where, { MINKE_PORT: 'x' })).toThrow(
      'MINKE_PORT="x": expected a whole number from 0 to 65535',
    );
    expect(() => resolveConfig({}, where, { MINKE_DEBUG: 'maybe' })).toThrow(
      'MINKE_DEBUG="maybe": expected true or false',
    );
  });

  it("sets each agent's result quota from the file or the environment, within bounds", () => {
    expect(resolveConfig({}, where, {}).agents).toMatchObject({
      maxResultBytes: 1024 * 1024,
      maxResultsPerMinute: 120,
    });
    const fromFile = resolveConfig(
      { agents: { maxResultBytes: 4096, maxResultsPerMinute: 10 } },
      where,
      { MINKE_AGENT_MAX_RESULTS_PER_MINUTE: '30' },
    );
    expect(fromFile.agents).toMatchObject({ maxResultBytes: 4096, maxResultsPerMinute: 30 });
    expect(() => resolveConfig({ agents: { maxResultBytes: 10 } }, where, {})).toThrow(
      '/p/minke.config.ts: agents.maxResultBytes:',
    );
    expect(() => resolveConfig({}, where, { MINKE_AGENT_MAX_RESULT_BYTES: '1M' })).toThrow(
      'MINKE_AGENT_MAX_RESULT_BYTES="1M": expected a whole number from 1024 to 16777216',
    );
  });

  it('checks the ssh: connection defaults, naming an unknown or bad key', () => {
    expect(resolveConfig({ ssh: { user: 'deploy', port: 2222 } }, where, {}).ssh).toEqual({
      user: 'deploy',
      port: 2222,
    });
    expect(() => resolveConfig({ ssh: { identityFile: '~/.ssh/k' } }, where, {})).toThrow(
      /^\/p\/minke\.config\.ts: ssh\.identityFile: unknown setting \(known: transport, .*identityFiles/,
    );
    expect(() => resolveConfig({ ssh: { sudo: { pasword: { env: 'X' } } } }, where, {})).toThrow(
      '/p/minke.config.ts: ssh.sudo.pasword: unknown setting',
    );
    expect(() => resolveConfig({ ssh: { port: 'ssh' } }, where, {})).toThrow(
      '/p/minke.config.ts: ssh.port:',
    );
  });

  it('picks the executor: in-process by default, BullMQ with a Redis URL or when asked for', () => {
    expect(resolveConfig({}, where, {}).executor).toEqual({
      kind: 'in-process',
      maxParallelHosts: 256,
      redisUrl: undefined,
      redisPassword: undefined,
      queuePrefix: 'minke',
      leaseTtlMs: 60_000,
      thread: true,
      threadNice: 10,
      threadStallMs: 60_000,
    });
    expect(
      resolveConfig({}, where, { MINKE_EXECUTOR_THREAD_STALL_SECONDS: '5' }).executor.threadStallMs,
    ).toBe(5000);
    expect(() => resolveConfig({ executor: { threadStallSeconds: 0 } }, where, {})).toThrow(
      'executor.threadStallSeconds',
    );
    expect(resolveConfig({ executor: { threadNice: 0 } }, where, {}).executor.threadNice).toBe(0);
    expect(resolveConfig({}, where, { MINKE_EXECUTOR_THREAD_NICE: '19' }).executor.threadNice).toBe(
      19,
    );
    expect(() => resolveConfig({}, where, { MINKE_EXECUTOR_THREAD_NICE: '-5' })).toThrow(
      'MINKE_EXECUTOR_THREAD_NICE="-5": expected a whole number from 0 to 19',
    );
    expect(() => resolveConfig({ executor: { threadNice: 20 } }, where, {})).toThrow(
      'executor.threadNice',
    );
    expect(resolveConfig({ executor: { thread: false } }, where, {}).executor.thread).toBe(false);
    expect(
      resolveConfig({ executor: { thread: false } }, where, { MINKE_EXECUTOR_THREAD: 'yes' })
        .executor.thread,
    ).toBe(true);
    const queued = resolveConfig({ executor: { leaseTtlSeconds: 30 } }, where, {
      MINKE_REDIS_URL: 'redis://127.0.0.1:6379',
      MINKE_REDIS_PASSWORD: 'r3dis',
      MINKE_QUEUE_PREFIX: 'shop-minke',
    }).executor;
    expect(queued).toMatchObject({
      kind: 'bullmq',
      redisUrl: 'redis://127.0.0.1:6379',
      redisPassword: 'r3dis',
      queuePrefix: 'shop-minke',
      leaseTtlMs: 30_000,
    });
    expect(
      resolveConfig({ executor: { kind: 'bullmq' } }, where, {
        MINKE_DATABASE_URL: 'postgres://minke@127.0.0.1/minke',
      }).executor.kind,
    ).toBe('bullmq');
    expect(
      resolveConfig({}, where, { MINKE_REDIS_URL: 'redis://r', MINKE_EXECUTOR: 'in-process' })
        .executor.kind,
    ).toBe('in-process');
  });

  it('refuses a BullMQ executor with nowhere to keep its queue, and bad executor values', () => {
    expect(() => resolveConfig({ executor: { kind: 'bullmq' } }, where, {})).toThrow(
      '/p/minke.config.ts: executor: bullmq needs a queue: set MINKE_REDIS_URL (Redis), or use a PostgreSQL database',
    );
    expect(() => resolveConfig({}, where, { MINKE_EXECUTOR: 'celery' })).toThrow(
      'MINKE_EXECUTOR="celery": expected in-process or bullmq',
    );
    expect(() => resolveConfig({}, where, { MINKE_QUEUE_PREFIX: 'Bad:Prefix' })).toThrow(
      'MINKE_QUEUE_PREFIX="Bad:Prefix"',
    );
    expect(() => resolveConfig({}, where, { MINKE_LEASE_TTL_SECONDS: '0' })).toThrow(
      'MINKE_LEASE_TTL_SECONDS="0": expected a whole number from 1 to 3600',
    );
    expect(() => resolveConfig({ executor: { kind: 'celery' } }, where, {})).toThrow(
      '/p/minke.config.ts: executor.kind:',
    );
  });

  it('picks the event bus: explicit, else Redis with a Redis URL, PostgreSQL for a queue there, memory', () => {
    const postgres = { MINKE_DATABASE_URL: 'postgres://minke@127.0.0.1/minke' };
    expect(resolveConfig({}, where, {}).eventBus).toBe('memory');
    expect(resolveConfig({}, where, { MINKE_REDIS_URL: 'redis://r' }).eventBus).toBe('redis');
    expect(resolveConfig({ executor: { kind: 'bullmq' } }, where, postgres).eventBus).toBe(
      'postgres',
    );
    expect(
      resolveConfig({ eventBus: 'redis' }, where, { ...postgres, MINKE_REDIS_URL: 'redis://r' })
        .eventBus,
    ).toBe('redis');
    expect(
      resolveConfig({ eventBus: 'redis' }, where, {
        ...postgres,
        MINKE_REDIS_URL: 'redis://r',
        MINKE_EVENT_BUS: 'postgres',
      }).eventBus,
    ).toBe('postgres');
    expect(resolveConfig({}, where, { ...postgres, MINKE_EVENT_BUS: 'postgres' }).eventBus).toBe(
      'postgres',
    );
  });

  it('refuses an event bus that cannot work here, saying what it needs', () => {
    expect(() => resolveConfig({}, where, { MINKE_EVENT_BUS: 'postgres' })).toThrow(
      'MINKE_EVENT_BUS="postgres": the PostgreSQL event bus needs a PostgreSQL database (MINKE_DATABASE_URL=postgres://...)',
    );
    expect(() => resolveConfig({ eventBus: 'redis' }, where, {})).toThrow(
      '/p/minke.config.ts: eventBus: the Redis event bus needs MINKE_REDIS_URL',
    );
    expect(() =>
      resolveConfig({}, where, { MINKE_EVENT_BUS: 'memory', MINKE_REDIS_URL: 'redis://r' }),
    ).toThrow('MINKE_EVENT_BUS="memory": memory cannot carry events from minke worker processes');
    expect(() => resolveConfig({}, where, { MINKE_EVENT_BUS: 'kafka' })).toThrow(
      'MINKE_EVENT_BUS="kafka": expected memory, redis or postgres',
    );
    expect(() => resolveConfig({ eventBus: 'kafka' }, where, {})).toThrow(
      '/p/minke.config.ts: eventBus:',
    );
  });

  it('reads the metrics token from the environment or a file, never from the config file', () => {
    expect(resolveConfig({}, where, {}).metrics.token).toBeUndefined();
    const file = join(tmp, 'metrics-token');
    writeFileSync(file, 's3cret-scrape\n');
    expect(resolveConfig({}, where, { MINKE_METRICS_TOKEN_FILE: file }).metrics.token).toBe(
      's3cret-scrape',
    );
    expect(() => resolveConfig({ metrics: { token: 'x' } }, where, {})).toThrow('unknown setting');
  });

  it('leaves the agent bus plain by default and turns TLS on from the file or MINKE_MQTT_TLS', () => {
    expect(resolveConfig({}, where, {}).mqtt.tls).toMatchObject({
      enabled: false,
      generatedDir: '/p/.minke/mqtt-tls',
    });
    expect(resolveConfig({ mqtt: { tls: true } }, where, {}).mqtt.tls.enabled).toBe(true);
    const fromEnv = resolveConfig({}, where, {
      MINKE_MQTT_TLS: '1',
      MINKE_MQTT_TLS_NAMES: 'broker.example.org, 10.0.0.5',
      MINKE_MQTT_TLS_FINGERPRINT: 'cd'.repeat(32),
      MINKE_MQTT_TLS_CA_FILE: 'tls/ca.pem',
    }).mqtt.tls;
    expect(fromEnv).toMatchObject({
      enabled: true,
      names: ['broker.example.org', '10.0.0.5'],
      fingerprint: Array.from({ length: 32 }, () => 'CD').join(':'),
      caFile: '/p/tls/ca.pem',
    });
  });

  it('says what is wrong with the TLS settings of the agent bus', () => {
    expect(() => resolveConfig({ mqtt: { tls: { certFile: 'c.pem' } } }, where, {})).toThrow(
      '/p/minke.config.ts: mqtt.tls: certFile and keyFile (MINKE_MQTT_TLS_CERT_FILE, MINKE_MQTT_TLS_KEY_FILE) go together',
    );
    expect(() => resolveConfig({}, where, { MINKE_MQTT_TLS_FINGERPRINT: 'abc' })).toThrow(
      'mqtt.tls.fingerprint / MINKE_MQTT_TLS_FINGERPRINT "abc": expected a SHA-256 fingerprint',
    );
    const own = resolveConfig(
      { mqtt: { tls: { certFile: 'c.pem', keyFile: 'k.pem' } } },
      where,
      {},
    );
    expect(own.mqtt.tls).toMatchObject({
      enabled: true,
      certFile: '/p/c.pem',
      keyFile: '/p/k.pem',
    });
  });
});
