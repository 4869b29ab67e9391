import type { Duplex } from 'node:stream';
import type { Logger } from '../../logger.js';
import type { ResolvedConnectionConfig } from '../config/connection-config.js';
import { hostKeyFromBlob, knownHostsName } from './host-keys/host-key.js';
import { verifyHostKey } from './host-keys/host-key-policy.js';
import { knownKeyTypes } from './host-keys/known-hosts.js';
import { readKnownHostsFiles } from './host-keys/known-hosts-file.js';
import { SecretUnavailable } from '../config/secret.js';
import { TransportError } from '../transport-error.js';
import { type AuthPlan, authMethods } from './auth-methods.js';
import { skipHostKeyProofs } from './host-key-announcements.js';
import { classifySshError } from './classify-error.js';
import { customHostKeyAlgorithms } from './host-key-algorithms.js';
import type { BookedHostKey, HostKeyBook } from './host-keys/host-key-book.js';
import { verifyWithBook } from './host-keys/verify-with-book.js';
import { forwardThroughJump } from './proxy-jump.js';
import type { SshClient, SshClientFactory } from './ssh-client.js';

export interface SshConnectDeps {
  createClient: SshClientFactory;
  logger: Logger;
}

/** ssh2's own handshake timer covers the handshake; this one also covers a stuck jump host. */
const safetyMarginMs = 1_000;
/** `close()` waits this long for a polite goodbye before cutting the socket. */
const closeWaitMs = 2_000;

/**
 * One authenticated SSH connection (through its jump hosts, if any). It closes its jump host
 * connections when it closes, and reports a drop through `closed`.
 */
export class SshConnection {
  closed = false;
  private readonly closedPromise: Promise<void>;

  constructor(
    readonly client: SshClient,
    readonly target: string,
    private readonly jump: SshConnection | undefined,
    logger: Logger,
  ) {
    this.closedPromise = new Promise((resolve) => {
      client.on('close', () => {
        this.closed = true;
        jump?.close().catch(() => undefined);
        resolve();
      });
    });
    // An 'error' event without a listener would crash the process; after the handshake errors
    // are only worth a log line, the drop itself shows as `closed`.
    client.on('error', (error: unknown) => {
      logger.warn(
        { target, reason: classifySshError(error, target).reason },
        'ssh connection error',
      );
    });
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.client.end();
      const timer = setTimeout(() => this.client.destroy(), closeWaitMs);
      await this.closedPromise;
      clearTimeout(timer);
    }
    await this.jump?.close();
  }
}

/**
 * Connects and authenticates, first to the jump host chain (each hop verified and authenticated
 * like any host), then to the host through it. Every failure is a `TransportError` with a reason.
 */
export async function openSshConnection(
  config: ResolvedConnectionConfig,
  deps: SshConnectDeps,
): Promise<SshConnection> {
  const target = `${config.user}@${knownHostsName(config.hostname, config.port)}`;
  const jump = config.proxyJump ? await openSshConnection(config.proxyJump, deps) : undefined;
  try {
    const sock = jump
      ? await forwardThroughJump(jump.client, config.hostname, config.port, target)
      : undefined;
    const client = await handshake(config, target, sock, deps);
    deps.logger.debug({ target, via: jump?.target }, 'ssh connected');
    return new SshConnection(client, target, jump, deps.logger);
  } catch (error) {
    await jump?.close();
    throw error;
  }
}

async function handshake(
  config: ResolvedConnectionConfig,
  target: string,
  sock: Duplex | undefined,
  deps: SshConnectDeps,
): Promise<SshClient> {
  const auth = await authPlan(config, target);
  const book = config.hostKeys;
  const address = knownHostsName(config.hostname, config.port);
  const bookName = config.hostKeyName ?? address;
  // With the fleet's book, known_hosts files count only when a Minke layer names them.
  const files = book && !config.knownHostsFilesNamed ? [] : config.knownHostsFiles;
  const known = await readKnownHostsFiles(files).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new TransportError('config', target, `cannot read known_hosts files (${code})`, error);
  });
  // Read once: the key types to ask for, then the check of the key the host presents.
  const trusted = book ? await trustedKeys(book, bookName, target) : [];
  const trustedTypes = trusted.map((key) => key.keyType);
  const serverHostKey = customHostKeyAlgorithms([
    ...knownKeyTypes(known, address),
    ...trustedTypes,
  ]);
  const client = deps.createClient();
  let hostKeyError: TransportError | undefined;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeListener('ready', onReady);
      if (error === undefined) return resolve(client);
      client.on('error', () => undefined); // late errors of a dead client are expected
      client.destroy();
      reject(hostKeyError ?? classifySshError(error, target, auth.summary));
    };
    const onReady = () => settle();
    const timer = setTimeout(
      () =>
        settle(
          new TransportError('timeout', target, `no answer within ${config.connectTimeoutMs} ms`),
        ),
      config.connectTimeoutMs + safetyMarginMs,
    );
    client.once('ready', onReady);
    client.on('error', (error: unknown) => settle(error));
    client.on('close', () =>
      settle(new TransportError('disconnected', target, 'closed during handshake')),
    );
    client.connect({
      host: config.hostname,
      port: config.port,
      username: config.user,
      ...(sock ? { sock } : {}),
      readyTimeout: config.connectTimeoutMs,
      keepaliveInterval: config.keepaliveIntervalMs,
      keepaliveCountMax: config.keepaliveCountMax,
      authHandler: auth.methods,
      ...(serverHostKey ? { algorithms: { serverHostKey } } : {}),
      hostVerifier: (blob: Buffer, verify: (valid: boolean) => void) => {
        const key = hostKeyFromBlob(blob);
        const verified = book
          ? verifyWithBook(
              book,
              {
                host: bookName,
                address,
                strictHostKeyChecking: config.strictHostKeyChecking,
                namedFiles: known,
                trusted,
              },
              key,
            )
          : verifyHostKey(config, key, known);
        verified.then(
          () => verify(true),
          (error: unknown) => {
            hostKeyError = classifySshError(error, target);
            verify(false);
          },
        );
      },
    });
    skipHostKeyProofs(client);
  });
}

/** The keys the book trusts for the host: their types are asked for first (see `hostKeyAlgorithms`). */
async function trustedKeys(
  book: HostKeyBook,
  host: string,
  target: string,
): Promise<BookedHostKey[]> {
  try {
    return await book.trusted(host);
  } catch (error) {
    throw new TransportError('config', target, 'cannot read the known host keys', error);
  }
}

async function authPlan(config: ResolvedConnectionConfig, target: string): Promise<AuthPlan> {
  try {
    return await authMethods(config);
  } catch (error) {
    if (error instanceof SecretUnavailable)
      throw new TransportError('config', target, error.message);
    throw error;
  }
}
