import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { createTopics } from '@minke/protocol';
import { settlesWithin } from '../util/settles-within.js';
import type { AuthenticateError, Client } from 'aedes';
import type { Logger } from '../logger.js';
import { mayPublish, maySubscribe, mayUseClientId, type BrokerIdentity } from './broker-acl.js';
import { indexRetainedByTopic, type RetainedPersistence } from './retained-index.js';

/** Checks an agent's credentials (the node is its user name); true lets it in. */
export type AuthenticateAgent = (node: string, password: string) => Promise<boolean>;

export interface EmbeddedBrokerOptions {
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one (tests). */
  port: number;
  topicPrefix: string;
  /** The user name the Minke server connects with; its password is made here, per start. */
  serverUsername: string;
  authenticateAgent: AuthenticateAgent;
  logger: Logger;
  /** Listen with TLS only (mqtts://), with this certificate and key (PEM). */
  tls?: { cert: string; key: string } | undefined;
}

export interface EmbeddedBroker {
  /** `mqtt://host:port` (`mqtts://` with TLS), with the port actually bound. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** What the server's own MQTT client logs in with (in memory only, new at every start). */
  readonly serverCredentials: { username: string; password: string };
  readonly connectedClients: number;
  close(): Promise<void>;
}

/**
 * The MQTT broker `minke start` runs in its own process (aedes, in memory). Every connection
 * authenticates: agents with the credentials `minke agents enroll` made (user name = node), the
 * server with a password made at start. Agents may only publish their own results and presence
 * and subscribe to their own requests, the broadcast and their own acknowledgements; anything
 * else is logged and refused (a refused publish closes the connection, as MQTT 3.1.1 has no
 * other way to say no; a refused subscription gets the failure return code 128).
 *
 * @example
 *   const broker = await startEmbeddedBroker({ port: 1884, topicPrefix: 'minke/v1', ... });
 *   // ... broker.url, broker.serverCredentials ...
 *   await broker.close();
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { logger } = options;
  const topics = createTopics(options.topicPrefix);
  const serverPassword = randomBytes(32).toString('base64url');
  const identities = new WeakMap<Client, BrokerIdentity>();
  // Agents are let in only once the server's own client has logged in: after a restart the
  // whole fleet reconnects at once, and a gateway queued behind thousands of logins timed out
  // (the server then gave up starting). Until then an agent's login waits (at most
  // SERVER_WAIT_MS, then "server unavailable"), so nobody is told no while the server starts.
  let serverIn = false;
  let serverArrived: () => void = () => undefined;
  const serverArrival = new Promise<void>((resolve) => (serverArrived = resolve));

  // Loaded here, not at the top: aedes is an ES module only, and the CLI bundle (CommonJS, for
  // V8's code cache) loads such a package by `import()` (scripts/bundle-cli.js).
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker({
    // A client whose socket stops draining must not stall delivery to the whole fleet.
    drainTimeout: 30_000,
    authenticate(client, username, password, done) {
      identify(username, password)
        .then((identity) => {
          if (identity && !mayUseClientId(identity, client.id)) {
            logger.warn(
              { clientId: client.id, username },
              'broker: connection refused: this client id belongs to someone else',
            );
            identity = undefined;
          }
          if (!identity) {
            logger.warn({ clientId: client.id, username }, 'broker: authentication failed');
            done(refusal(), false);
            return;
          }
          identities.set(client, identity);
          done(null, true);
        })
        .catch((error: Error) => {
          if (!(error instanceof ServerNotYetConnected))
            logger.error({ err: error }, 'broker: cannot check credentials');
          done(refusal(3), false);
        });
    },
    authorizePublish(client, packet, done) {
      const identity = client ? identities.get(client) : undefined;
      if (identity && mayPublish(identity, packet.topic, topics)) {
        done(null);
        return;
      }
      logger.warn(
        { clientId: client?.id, topic: packet.topic },
        'broker: publish refused: not allowed on this topic',
      );
      done(new Error(`not allowed to publish on ${packet.topic}`));
    },
    authorizeSubscribe(client, subscription, done) {
      const identity = identities.get(client);
      if (identity && maySubscribe(identity, subscription.topic, topics)) {
        done(null, subscription);
        return;
      }
      logger.warn(
        { clientId: client.id, topic: subscription.topic },
        'broker: subscription refused: not allowed on this topic',
      );
      done(null, null);
    },
  });
  // aedes' types leave out the persistence it made (its default, in memory).
  indexRetainedByTopic((broker as unknown as { persistence: RetainedPersistence }).persistence);
  broker.on('clientError', (client, error) =>
    logger.debug({ clientId: client.id, err: error }, 'broker: client error'),
  );
  broker.on('connectionError', (client, error) =>
    logger.debug({ clientId: client.id, err: error }, 'broker: connection error'),
  );

  async function identify(
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<BrokerIdentity | undefined> {
    if (username === undefined || password === undefined) return undefined;
    if (username === options.serverUsername) {
      if (!sameSecret(password, serverPassword)) return undefined;
      serverIn = true;
      serverArrived();
      return { kind: 'server' };
    }
    if (!serverIn && !(await settlesWithin(serverArrival, SERVER_WAIT_MS)))
      throw new ServerNotYetConnected();
    return (await options.authenticateAgent(username, password.toString('utf8')))
      ? { kind: 'agent', node: username }
      : undefined;
  }

  const sockets = new Set<Socket>();
  const onConnection = (socket: Socket) => {
    socket.on('error', () => undefined);
    broker.handle(socket);
  };
  const tls = options.tls;
  const server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, onConnection)
    : createServer(onConnection);
  // Tracked from the first byte (with TLS: before the handshake), so close() ends them all.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  // A client that fails the handshake (plain MQTT on the TLS port, a scanner) is only logged.
  server.on('tlsClientError', (error: Error) =>
    logger.debug({ err: error }, 'broker: TLS handshake failed'),
  );
  const host = options.host ?? '127.0.0.1';
  try {
    await listen(server, options.port, host);
  } catch (error) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  logger.info({ host, port, tls: tls !== undefined }, 'embedded MQTT broker listening');

  let closed: Promise<void> | undefined;
  return {
    url: `${tls ? 'mqtts' : 'mqtt'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    serverCredentials: { username: options.serverUsername, password: serverPassword },
    get connectedClients() {
      return broker.connectedClients;
    },
    close() {
      closed ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        await serverClosed;
      })();
      return closed;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function sameSecret(given: Buffer, expected: string): boolean {
  const wanted = Buffer.from(expected, 'utf8');
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** CONNACK "not authorized" (5), or another code such as "server unavailable" (3). */
function refusal(returnCode: 3 | 4 | 5 = 5): AuthenticateError {
  const error = new Error('not authorized') as AuthenticateError;
  error.returnCode = returnCode;
  return error;
}

/** How long an agent's login waits for the server's own client to log in first. */
const SERVER_WAIT_MS = 20_000;

/** An agent logged in before the server's own client: refused as "server unavailable". */
class ServerNotYetConnected extends Error {}
