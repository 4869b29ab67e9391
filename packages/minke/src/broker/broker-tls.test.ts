import { X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerTlsConfig } from '../config/resolve-config.js';
import { loadBrokerTls } from './broker-tls.js';
import { readOrCreateCertificates } from './generated-certificates.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'minke-broker-tls-'));
  dirs.push(dir);
  return dir;
}

function tlsConfig(dir: string, extra: Partial<BrokerTlsConfig> = {}): BrokerTlsConfig {
  return {
    enabled: true,
    certFile: undefined,
    keyFile: undefined,
    caFile: undefined,
    fingerprint: undefined,
    names: [],
    generatedDir: join(dir, '.minke', 'mqtt-tls'),
    ...extra,
  };
}

describe('the broker certificate', () => {
  it('is made once, signed by the project CA, for the listen address and the extra names', async () => {
    const dir = await tempDir();
    const config = tlsConfig(dir, { names: ['broker.example.org', '10.9.8.7'] });
    const first = await loadBrokerTls(config, '192.0.2.10');
    const certificate = new X509Certificate(first.cert);
    expect(certificate.checkIssued(new X509Certificate(first.ca as string))).toBe(true);
    for (const name of ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:192.0.2.10'])
      expect(certificate.subjectAltName).toContain(name);
    expect(certificate.subjectAltName).toContain('DNS:broker.example.org');
    expect(certificate.subjectAltName).toContain('IP Address:10.9.8.7');
    expect(first.fingerprint).toBe(certificate.fingerprint256);
    // Pinned by agents: a second start reads the same files.
    expect((await loadBrokerTls(config, '192.0.2.10')).fingerprint).toBe(first.fingerprint);
  });

  it('two processes making it at once end up with one certificate', async () => {
    const dir = join(await tempDir(), 'mqtt-tls');
    const [a, b] = await Promise.all([
      readOrCreateCertificates(dir, ['localhost']),
      readOrCreateCertificates(dir, ['localhost']),
    ]);
    expect(a.serverCert).toBe(b.serverCert);
    expect(await readFile(join(dir, 'server.pem'), 'utf8')).toBe(a.serverCert);
  });

  it('refuses a certificate folder that others can read', async () => {
    const dir = await tempDir();
    const config = tlsConfig(dir);
    await loadBrokerTls(config, '127.0.0.1');
    await chmod(config.generatedDir, 0o755);
    await expect(loadBrokerTls(config, '127.0.0.1')).rejects.toThrow(
      `${config.generatedDir} (the broker's TLS keys) can be read by other users: fix it with chmod 700 ${config.generatedDir}`,
    );
  });

  it("uses the user's own certificate; a self-signed one is its own CA; a loose key is refused", async () => {
    const dir = await tempDir();
    const made = await readOrCreateCertificates(join(dir, 'made'), ['localhost']);
    const certFile = join(dir, 'own.pem');
    const keyFile = join(dir, 'own-key.pem');
    await writeFile(certFile, made.caCert);
    await writeFile(keyFile, await readFile(join(dir, 'made', 'ca-key.pem')), { mode: 0o600 });
    const own = await loadBrokerTls(tlsConfig(dir, { certFile, keyFile }), '127.0.0.1');
    expect(own).toMatchObject({ cert: made.caCert, ca: made.caCert, source: certFile });
    expect(own.fingerprint).toBe(new X509Certificate(made.caCert).fingerprint256);

    await chmod(keyFile, 0o644);
    await expect(loadBrokerTls(tlsConfig(dir, { certFile, keyFile }), '127.0.0.1')).rejects.toThrow(
      `the broker's TLS key ${keyFile} can be read by other users: fix it with chmod 600 ${keyFile}`,
    );
    await writeFile(join(dir, 'junk.pem'), 'not a certificate');
    await chmod(keyFile, 0o600);
    await expect(
      loadBrokerTls(tlsConfig(dir, { certFile: join(dir, 'junk.pem'), keyFile }), '127.0.0.1'),
    ).rejects.toThrow(`mqtt.tls.certFile: ${join(dir, 'junk.pem')} is not a PEM certificate`);
  });
});
