import { Aedes } from 'aedes';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import mqtt from 'mqtt';

/** A broker a test can talk to; `restart` exists only for brokers the test owns. */
export interface TestBroker {
  name: string;
  url: string;
  close(): Promise<void>;
  /** Stops the broker and starts a new, empty one on the same port. */
  restart?(): Promise<void>;
}

/** The Mosquitto the integration suites use (already running on this machine or in CI). */
export const MOSQUITTO_URL = process.env['MINKE_TEST_MQTT_URL'] ?? 'mqtt://127.0.0.1:1883';

/** An in-process aedes broker on 127.0.0.1, on `port` or a free one. */
export async function startAedes(port = 0): Promise<TestBroker> {
  let running = await listen(port);
  port = (running.server.address() as AddressInfo).port;
  return {
    name: 'aedes',
    url: `mqtt://127.0.0.1:${port}`,
    close: () => stop(running),
    restart: async () => {
      await stop(running);
      running = await listen(port);
    },
  };
}

interface Running {
  broker: Aedes;
  server: Server;
  sockets: Set<Socket>;
}

async function listen(port: number): Promise<Running> {
  const broker = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { broker, server, sockets };
}

async function stop({ broker, server, sockets }: Running): Promise<void> {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A 127.0.0.1 port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The shared Mosquitto, if it answers within a second. */
export async function mosquitto(): Promise<TestBroker | undefined> {
  const url = MOSQUITTO_URL;
  const client = mqtt.connect(url, { connectTimeout: 1000, reconnectPeriod: 0 });
  const ok = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 1500);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve(true);
    });
    client.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  await client.endAsync(true);
  return ok ? { name: 'mosquitto', url, close: () => Promise.resolve() } : undefined;
}

/**
 * Removes what a test left on a shared broker: the persistent session of `clientId` (by
 * connecting once with a clean session) and the retained messages on `retainedTopics`.
 */
export async function cleanBroker(
  url: string,
  clientIds: string[],
  retainedTopics: string[],
): Promise<void> {
  for (const clientId of clientIds) {
    const client = await mqtt.connectAsync(url, {
      clientId,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 2000,
    });
    await client.endAsync();
  }
  if (retainedTopics.length === 0) return;
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 2000 });
  for (const topic of retainedTopics)
    await client.publishAsync(topic, '', { qos: 1, retain: true });
  await client.endAsync();
}
