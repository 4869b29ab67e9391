import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomHostKey } from '../../../../test-support/host-key-blobs.js';
import { fingerprintOf, knownHostsName } from './host-key.js';
import { verifyHostKey } from './host-key-policy.js';
import { checkHostKey, entryMatchesHost, parseKnownHosts } from './known-hosts.js';
import { TransportError } from '../../transport-error.js';

const fakeKey = randomHostKey;

const line = (hosts: string, key: ReturnType<typeof fakeKey>) =>
  `${hosts} ${key.type} ${key.blob.toString('base64')}`;

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('host keys', () => {
  it('reads the key type from the blob and fingerprints like OpenSSH', () => {
    const key = fakeKey();
    expect(key.type).toBe('ssh-ed25519');
    expect(fingerprintOf(key.blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('files hosts off port 22 as [host]:port', () => {
    expect(knownHostsName('web1', 22)).toBe('web1');
    expect(knownHostsName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
  });
});

describe('parseKnownHosts and matching', () => {
  const key = fakeKey();

  it('skips comments, blank and malformed lines and keeps markers', () => {
    const entries = parseKnownHosts(
      [
        '# comment',
        '',
        'broken-line',
        line('web1', key),
        `@revoked ${line('*', key)}`,
        '@bogus x y z',
      ].join('\n'),
      'kh',
    );
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ hosts: 'web1', keyType: 'ssh-ed25519', source: 'kh:4' });
    expect(entries[1]?.marker).toBe('revoked');
  });

  it('matches plain, wildcard, [host]:port, negated and hashed patterns', () => {
    const [plain, wild, port, negated, hash] = parseKnownHosts(
      [
        line('web1,WEB2.example.com', key),
        line('*.example.com', key),
        line('[10.0.0.5]:2222', key),
        line('*.example.com,!db.example.com', key),
        line(hashed('[127.0.0.1]:2200'), key),
      ].join('\n'),
    );
    expect(entryMatchesHost(plain!, 'web2.example.com')).toBe(true);
    expect(entryMatchesHost(plain!, 'web3')).toBe(false);
    expect(entryMatchesHost(wild!, 'a.example.com')).toBe(true);
    expect(entryMatchesHost(port!, '[10.0.0.5]:2222')).toBe(true);
    expect(entryMatchesHost(port!, '10.0.0.5')).toBe(false);
    expect(entryMatchesHost(negated!, 'db.example.com')).toBe(false);
    expect(entryMatchesHost(hash!, '[127.0.0.1]:2200')).toBe(true);
    expect(entryMatchesHost(hash!, '[127.0.0.1]:2201')).toBe(false);
  });

  it('tells known, unknown, changed and revoked keys apart', () => {
    const other = fakeKey();
    const rsa = fakeKey('ssh-rsa');
    const entries = parseKnownHosts(
      [line('web1', key), line('web3', rsa), `@revoked ${line('*', other)}`].join('\n'),
    );
    expect(checkHostKey(entries, 'web1', key).status).toBe('known');
    expect(checkHostKey(entries, 'web2', key).status).toBe('unknown');
    expect(checkHostKey(entries, 'web1', fakeKey()).status).toBe('mismatch');
    // Known only with a key of another type: still a mismatch, never "new".
    expect(checkHostKey(entries, 'web3', key).status).toBe('mismatch');
    expect(checkHostKey(entries, 'web2', other).status).toBe('revoked');
  });
});

describe('verifyHostKey', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minke-kh-'));
    file = join(dir, 'sub', 'known_hosts');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const policy = (strict: 'yes' | 'accept-new') => ({
    hostname: '127.0.0.1',
    port: 2222,
    strictHostKeyChecking: strict,
    knownHostsFiles: [file],
  });

  it('refuses an unknown host when strict', async () => {
    const error = await verifyHostKey(policy('yes'), fakeKey()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).reason).toBe('host_key_unknown');
  });

  it('records an unknown host with accept-new, then knows it', async () => {
    const key = fakeKey();
    await verifyHostKey(policy('accept-new'), key);
    expect(await readFile(file, 'utf8')).toBe(`${line('[127.0.0.1]:2222', key)}\n`);
    await expect(verifyHostKey(policy('yes'), key)).resolves.toBeUndefined();
  });

  it('refuses a changed key even with accept-new, naming host and fingerprint', async () => {
    const old = fakeKey();
    const changed = fakeKey();
    await writeFile(file.replace('/sub', ''), `${line('[127.0.0.1]:2222', old)}`);
    const error = (await verifyHostKey(
      { ...policy('accept-new'), knownHostsFiles: [file.replace('/sub', '')] },
      changed,
    ).catch((e: unknown) => e)) as TransportError;
    expect(error.reason).toBe('host_key_mismatch');
    expect(error.message).toContain('[127.0.0.1]:2222: host key mismatch');
    expect(error.message).toContain(fingerprintOf(changed.blob));
  });
});
