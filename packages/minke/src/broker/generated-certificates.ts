import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { SetupError } from '../errors.js';

/** The PEM files of the embedded broker's generated CA and server certificate. */
export interface GeneratedCertificates {
  caCert: string;
  serverCert: string;
  serverKey: string;
  dir: string;
}

export const GENERATED_FILES = {
  caCert: 'ca.pem',
  caKey: 'ca-key.pem',
  serverCert: 'server.pem',
  serverKey: 'server-key.pem',
} as const;

/** Ten years: the certificate is pinned by every enrolled agent, so a renewal means enrolling again. */
const VALIDITY_MS = 10 * 365 * 24 * 3600 * 1000;

/**
 * Reads the broker's CA and server certificate from `dir` (`.minke/mqtt-tls/`), making them on
 * first use: a CA of this project and a server certificate it signs, valid for `names` (DNS names
 * and IP addresses). Keys are files of mode 600 in a folder of mode 700. The folder is written
 * under a temporary name and renamed, so two processes starting at once (a server and `minke
 * agents enroll`) agree on one set: the loser of the rename reads the winner's files.
 */
export async function readOrCreateCertificates(
  dir: string,
  names: readonly string[],
): Promise<GeneratedCertificates & { created: boolean }> {
  const existing = await readCertificates(dir);
  if (existing) return { ...existing, created: false };
  await mkdir(dirname(dir), { recursive: true, mode: 0o700 });
  const staging = join(dirname(dir), `.${basename(dir)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(staging, { mode: 0o700 });
    const files = await generateCertificates(names);
    for (const [key, name] of Object.entries(GENERATED_FILES)) {
      const file = join(staging, name);
      await writeFile(file, files[key as keyof typeof GENERATED_FILES], {
        mode: 0o600,
        flag: 'wx',
      });
      await chmod(file, 0o600);
    }
    await rename(staging, dir).catch((error: NodeJS.ErrnoException) => {
      // Another process made them first: use its files.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } catch (error) {
    throw new SetupError(`cannot create the broker's TLS certificate in ${dir}: ${codeOf(error)}`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const made = await readCertificates(dir);
  if (!made) throw new SetupError(`the broker's TLS files in ${dir} are missing after creation`);
  return { ...made, created: true };
}

async function readCertificates(dir: string): Promise<GeneratedCertificates | undefined> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) return undefined;
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    throw new SetupError(
      `${dir} (the broker's TLS keys) can be read by other users: fix it with chmod 700 ${dir}`,
    );
  }
  const read = (name: string) =>
    readFile(join(dir, name), 'utf8').catch((error: unknown) => {
      throw new SetupError(
        `cannot read ${join(dir, name)}: ${codeOf(error)} (remove ${dir} to make new certificates; agents must then be enrolled again)`,
      );
    });
  return {
    caCert: await read(GENERATED_FILES.caCert),
    serverCert: await read(GENERATED_FILES.serverCert),
    serverKey: await read(GENERATED_FILES.serverKey),
    dir,
  };
}

async function generateCertificates(
  names: readonly string[],
): Promise<Record<keyof typeof GENERATED_FILES, string>> {
  // Loaded here: only a project that turns TLS on pays for it.
  const { generate } = await import('selfsigned');
  const notAfterDate = new Date(Date.now() + VALIDITY_MS);
  const ec = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notAfterDate } as const;
  const ca = await generate([{ name: 'commonName', value: 'Minke agent bus CA' }], {
    ...ec,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'minke-mqtt-broker' }], {
    ...ec,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((name) =>
          isIP(name) ? { type: 7, ip: name } : { type: 2, value: name },
        ),
      },
    ],
  });
  return { caCert: ca.cert, caKey: ca.private, serverCert: server.cert, serverKey: server.private };
}

function codeOf(error: unknown): string {
  if (error instanceof SetupError) return error.message;
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
