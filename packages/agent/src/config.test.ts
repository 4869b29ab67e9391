import { generateSigningKeyPair } from '@minke/protocol';
import { chmod, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { envName, loadSettings } from './config.js';
import { tempDir } from './test-support/temp.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const key = generateSigningKeyPair();

async function configFile(content: string, mode = 0o600): Promise<{ dir: string; file: string }> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const file = join(dir, 'agent.yaml');
  await writeFile(file, content);
  await chmod(file, mode);
  return { dir, file };
}

describe('loadSettings', () => {
  it('reads a YAML config file, resolving paths against its directory', async () => {
    const { dir, file } = await configFile(
      [
        'node: web1',
        'brokerUrl: mqtt://127.0.0.1:1883',
        'username: web1',
        `serverPublicKey: ${key.publicKeyBase64}`,
        'pluginsDir: plugins',
        'spoolDir: spool',
        'topicPrefix: test/minke/v1',
      ].join('\n'),
    );
    const settings = await loadSettings({ configFile: file, env: {}, forRun: true });
    expect(settings).toMatchObject({
      node: 'web1',
      brokerUrl: 'mqtt://127.0.0.1:1883',
      username: 'web1',
      password: undefined,
      serverPublicKeys: [key.publicKeyBase64],
      pluginsDir: join(dir, 'plugins'),
      spoolDir: join(dir, 'spool'),
      topicPrefix: 'test/minke/v1',
      clientId: 'minke-agent-web1',
      mqttVersion: 4,
      configFile: file,
    });
    expect(settings.serverKeys).toHaveLength(1);
  });

  it('reads JSON too, and lets MINKE_AGENT_* variables and --plugins override the file', async () => {
    const { file } = await configFile(
      JSON.stringify({
        node: 'web1',
        brokerUrl: 'mqtt://a:1883',
        serverPublicKey: key.publicKeyPem,
      }),
    );
    const settings = await loadSettings({
      configFile: file,
      pluginsDir: '/opt/plugins',
      env: {
        MINKE_AGENT_NODE: 'web2',
        MINKE_AGENT_BROKER_URL: 'mqtts://b:8883',
        MINKE_AGENT_PASSWORD: 's3cret',
        MINKE_AGENT_CONCURRENCY: '4',
      },
      forRun: true,
    });
    expect(settings).toMatchObject({
      node: 'web2',
      brokerUrl: 'mqtts://b:8883',
      password: 's3cret',
      pluginsDir: '/opt/plugins',
      concurrency: 4,
    });
  });

  it("reads paths typed in a shell (--plugins, MINKE_AGENT_*) from the current folder, not the file's", async () => {
    // `minke-agent run --config /etc/minke/agent.yaml --plugins plugins` in the demo's folder
    // means the demo's plugins, as every command line means a relative path.
    const { dir, file } = await configFile(
      `node: web1\nbrokerUrl: mqtt://127.0.0.1:1883\nserverPublicKey: ${key.publicKeyBase64}\n`,
    );
    const fromShell = await loadSettings({
      configFile: file,
      pluginsDir: 'plugins',
      env: { MINKE_AGENT_SPOOL_DIR: 'spool' },
      forRun: true,
    });
    expect(fromShell.pluginsDir).toBe(join(process.cwd(), 'plugins'));
    expect(fromShell.spoolDir).toBe(join(process.cwd(), 'spool'));
    expect(fromShell.pluginsDir.startsWith(dir)).toBe(false);
  });

  it('works from the environment alone, with the host name as node', async () => {
    const settings = await loadSettings({
      env: {
        MINKE_AGENT_BROKER_URL: 'mqtt://a',
        MINKE_AGENT_SERVER_PUBLIC_KEY: key.publicKeyBase64,
      },
      defaultConfigFile: '/nonexistent/agent.yaml',
      forRun: true,
    });
    expect(settings).toMatchObject({
      node: hostname(),
      brokerUrl: 'mqtt://a',
      configFile: undefined,
      clientId: `minke-agent-${hostname()}`,
    });
  });

  it('reads the password from passwordFile, refusing one every user can read', async () => {
    const { dir, file } = await configFile(
      `brokerUrl: mqtt://a\nserverPublicKey: ${key.publicKeyBase64}\npasswordFile: pw\n`,
    );
    await writeFile(join(dir, 'pw'), 'hunter2\n', { mode: 0o640 });
    await chmod(join(dir, 'pw'), 0o640);
    expect((await loadSettings({ configFile: file, env: {}, forRun: true })).password).toBe(
      'hunter2',
    );
    await chmod(join(dir, 'pw'), 0o644);
    await expect(loadSettings({ configFile: file, env: {}, forRun: true })).rejects.toThrow(
      /readable by every user; fix with chmod 600/,
    );
  });

  it('accepts a password in the config file only when other users cannot read the file', async () => {
    const base = `brokerUrl: mqtt://a\nserverPublicKey: ${key.publicKeyBase64}\npassword: inline\n`;
    const privateFile = await configFile(base, 0o600);
    expect(
      (await loadSettings({ configFile: privateFile.file, env: {}, forRun: true })).password,
    ).toBe('inline');
    const openFile = await configFile(base, 0o644);
    await expect(
      loadSettings({ configFile: openFile.file, env: {}, forRun: true }),
    ).rejects.toThrow(/readable by every user/);
  });

  it.each([
    ['brokerUrl: http://x\n', /agent.yaml: brokerUrl: must start with mqtt:\/\//],
    ['brokerUrl: "not a url"\n', /agent.yaml: brokerUrl: "not a url" is not a URL/],
    ['brokerUrl: mqtt://u:pw@x\n', /brokerUrl: must not contain a password/],
    ['serverPublicKey: abc\n', /agent.yaml: serverPublicKey: not an ed25519 public key/],
    ['node: a/b\n', /agent.yaml: node: node name "a\/b"/],
    ['topicPrefix: "minke/#"\n', /agent.yaml: topicPrefix: topic prefix/],
    ['concurrency: 0\n', /agent.yaml: concurrency: must be a number from 1 to 64/],
    ['mqttVersion: 3\n', /agent.yaml: mqttVersion: must be a number from 4 to 5/],
    ['logLevel: loud\n', /agent.yaml: logLevel: must be one of/],
    ['brokerUrl: [1]\n', /agent.yaml: brokerUrl: must be a non-empty string/],
    ['brokrUrl: mqtt://x\n', /agent.yaml: brokrUrl: unknown setting/],
    ['- a list\n', /agent.yaml: must be a mapping/],
    ['a: [\n', /agent.yaml: not valid YAML or JSON/],
  ])('names the file and the key of a wrong setting (%s)', async (content, message) => {
    const { file } = await configFile(content);
    await expect(loadSettings({ configFile: file, env: {}, forRun: false })).rejects.toThrow(
      message,
    );
  });

  it('names the variable of a wrong setting from the environment', async () => {
    const { file } = await configFile('');
    await expect(
      loadSettings({
        configFile: file,
        env: { MINKE_AGENT_KEEPALIVE_SECONDS: 'soon' },
        forRun: false,
      }),
    ).rejects.toThrow(/^MINKE_AGENT_KEEPALIVE_SECONDS: must be a number/);
  });

  it('requires a broker and a server key to run, but not to list', async () => {
    const { file, dir } = await configFile('pluginsDir: p\n');
    await expect(loadSettings({ configFile: file, env: {}, forRun: true })).rejects.toThrow(
      `${file}: brokerUrl is not set (set it in the config file or in MINKE_AGENT_BROKER_URL)`,
    );
    expect((await loadSettings({ configFile: file, env: {}, forRun: false })).pluginsDir).toBe(
      join(dir, 'p'),
    );
  });

  it('reports a config file that cannot be read', async () => {
    await expect(
      loadSettings({ configFile: '/nonexistent/agent.yaml', env: {}, forRun: false }),
    ).rejects.toThrow('/nonexistent/agent.yaml: cannot be read (ENOENT)');
  });

  it('maps keys to variable names', () => {
    expect(envName('brokerUrl')).toBe('MINKE_AGENT_BROKER_URL');
    expect(envName('serverPublicKey')).toBe('MINKE_AGENT_SERVER_PUBLIC_KEY');
  });

  it('normalises a pinned broker fingerprint and keeps the inline CA', async () => {
    const pin = 'ab'.repeat(32);
    const { file } = await configFile(
      [
        'brokerUrl: mqtts://broker.example.org:8883',
        `brokerFingerprint: sha256:${pin}`,
        'brokerCa: |',
        '  -----BEGIN CERTIFICATE-----',
        '  MIIB',
        '  -----END CERTIFICATE-----',
      ].join('\n'),
    );
    const settings = await loadSettings({ configFile: file, env: {}, forRun: false });
    expect(settings.brokerFingerprint).toBe(Array.from({ length: 32 }, () => 'AB').join(':'));
    expect(settings.brokerFingerprintSource).toBe(`${file}: brokerFingerprint`);
    expect(settings.brokerCa).toContain('-----BEGIN CERTIFICATE-----\nMIIB');
  });

  it('refuses a fingerprint that is not SHA-256, or one pinned on a plain mqtt:// URL', async () => {
    const { file } = await configFile('brokerUrl: mqtts://b:8883\nbrokerFingerprint: 12:34\n');
    await expect(loadSettings({ configFile: file, env: {}, forRun: false })).rejects.toThrow(
      `${file}: brokerFingerprint: must be a SHA-256 fingerprint (64 hex digits, colons allowed)`,
    );
    const plain = await configFile(
      `brokerUrl: mqtt://b:1883\nbrokerFingerprint: ${'ab'.repeat(32)}\n`,
    );
    await expect(loadSettings({ configFile: plain.file, env: {}, forRun: false })).rejects.toThrow(
      `${plain.file}: brokerFingerprint: a pinned certificate needs a TLS broker URL (mqtts://), not mqtt://b:1883`,
    );
  });
});
