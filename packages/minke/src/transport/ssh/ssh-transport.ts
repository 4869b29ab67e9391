import { type Logger, silentLogger } from '../../logger.js';
import type { ResolvedConnectionConfig } from '../config/connection-config.js';
import { InFlight } from '../exec/in-flight.js';
import { isTransportError } from '../transport-error.js';
import { completeSudo } from '../config/sudo-defaults.js';
import { defaultTransferTimeoutMs, getFile, putFile } from '../exec/file-transfer.js';
import type {
  CommandResult,
  ExecOptions,
  GetOptions,
  PutOptions,
  PutSource,
  TransferOptions,
  TransferResult,
  Transport,
} from '../transport.js';
import { runRemoteCommand } from './remote-command.js';
import { SftpFiles } from './sftp-files.js';
import { createSsh2Client, type SshClientFactory } from './ssh-client.js';
import { openSshConnection, type SshConnection } from './ssh-connection.js';

export interface SshTransportOptions {
  logger?: Logger;
  /** Replaces ssh2's client, e.g. in tests. */
  createClient?: SshClientFactory;
  /**
   * Hears of every failed connection attempt with its short reason (auth, timeout, refused,
   * host-key...): the process's metrics count them. Injected, so the transport knows no metrics.
   */
  onConnectFailure?: (reason: string) => void;
}

/**
 * Runs commands on a remote host over one SSH connection (ssh2), and copies files over SFTP on
 * the same connection. `exec` connects on first use and
 * reconnects after a drop; commands may run concurrently (one channel each, see the pool for the
 * cap). Defaults for pty, env, timeout and sudo come from the connection config.
 *
 * @example
 *   const ssh = new SshTransport(await resolveConnectionConfig({ name: 'web1' }));
 *   const result = await ssh.exec('df -h /', { timeoutMs: 10_000 });
 *   await ssh.close();
 */
export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;
  private connection: SshConnection | undefined;
  private connecting: Promise<SshConnection> | undefined;
  private readonly inFlight = new InFlight();
  private readonly logger: Logger;
  private readonly createClient: SshClientFactory;
  private readonly onConnectFailure: (reason: string) => void;

  constructor(
    readonly config: ResolvedConnectionConfig,
    options: SshTransportOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.createClient = options.createClient ?? createSsh2Client;
    this.onConnectFailure = options.onConnectFailure ?? (() => undefined);
  }

  get connected(): boolean {
    return this.connection !== undefined && !this.connection.closed;
  }

  async connect(): Promise<void> {
    await this.live();
  }

  async exec(command: string, options: ExecOptions = {}): Promise<CommandResult> {
    const connection = await this.live();
    const timeoutMs = options.timeoutMs ?? (this.config.commandTimeoutMs || undefined);
    const run = runRemoteCommand(
      connection.client,
      command,
      {
        ...options,
        pty: options.pty ?? this.config.pty,
        env: { ...this.config.env, ...options.env },
        timeoutMs,
        sudo: await completeSudo(
          options.sudo,
          { ...this.config.sudo, credentials: this.config.credentials },
          connection.target,
        ),
        killSignal: this.inFlight.signalFor(options),
      },
      connection.target,
    );
    return this.inFlight.track(run);
  }

  /** Copies a file to the host over SFTP, on this connection (one channel while it lasts). */
  put(source: PutSource, remotePath: string, options: PutOptions = {}): Promise<TransferResult> {
    return this.withFiles(options, (files, bounded) =>
      putFile(files, source, remotePath, bounded, this.transferTimeoutMs()),
    );
  }

  /** Copies a file from the host over SFTP, on this connection. */
  get(remotePath: string, options: GetOptions = {}): Promise<TransferResult> {
    return this.withFiles(options, (files, bounded) =>
      getFile(files, remotePath, bounded, this.transferTimeoutMs()),
    );
  }

  /** Kills what still runs (bounded by the kill's own timers), then closes the connection. */
  async close(): Promise<void> {
    // Swap first: a command started while this close is under way gets a fresh connection and
    // is not killed by it.
    const connection = this.connection;
    this.connection = undefined;
    await this.inFlight.abortAll();
    await connection?.close();
  }

  private async withFiles<O extends TransferOptions>(
    options: O,
    transfer: (files: SftpFiles, options: O) => Promise<TransferResult>,
  ): Promise<TransferResult> {
    const connection = await this.live();
    const files = new SftpFiles(connection.client, connection.target);
    try {
      return await this.inFlight.track(
        transfer(files, { ...options, killSignal: this.inFlight.signalFor(options) }),
      );
    } finally {
      files.end();
    }
  }

  private transferTimeoutMs(): number {
    return this.config.commandTimeoutMs || defaultTransferTimeoutMs;
  }

  private live(): Promise<SshConnection> {
    if (this.connection && !this.connection.closed) return Promise.resolve(this.connection);
    this.connecting ??= openSshConnection(this.config, {
      createClient: this.createClient,
      logger: this.logger,
    })
      .then((connection) => (this.connection = connection))
      .catch((error: unknown) => {
        // Every attempt, once each (minke_ssh_connect_failures_total{reason} where counted).
        this.onConnectFailure(isTransportError(error) ? error.reason : 'other');
        throw error;
      })
      .finally(() => (this.connecting = undefined));
    return this.connecting;
  }
}
