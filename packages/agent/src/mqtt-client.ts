import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import { pinnedServerIdentity } from '@minke/protocol';
import mqtt from 'mqtt';
import type { IClientOptions, IConnackPacket, IPublishPacket } from 'mqtt';

/**
 * The part of an mqtt.js client the agent uses. Tests can wrap the real one (to cut its
 * connection) or replace it.
 */
export interface MqttClientLike {
  readonly connected: boolean;
  on(event: 'connect', listener: (packet: IConnackPacket) => void): this;
  on(event: 'close' | 'offline' | 'end', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  /** Called for every incoming publish; the QoS 1 PUBACK goes out when `done` is called. */
  handleMessage: (packet: IPublishPacket, done: (error?: Error) => void) => void;
  subscribeAsync(topics: string[], options: { qos: 1 }): Promise<unknown>;
  publishAsync(
    topic: string,
    payload: string,
    options: { qos: 1; retain?: boolean },
  ): Promise<unknown>;
  reconnect(): this;
  endAsync(force?: boolean): Promise<void>;
}

export type ConnectMqtt = (url: string, options: IClientOptions) => MqttClientLike;

export const connectMqtt: ConnectMqtt = (url, options) => mqtt.connect(url, options);

/** The TLS settings of the agent's config (see `AgentSettings`). */
export interface BrokerTlsSettings {
  caFile?: string | undefined;
  brokerCa?: string | undefined;
  brokerFingerprint?: string | undefined;
  brokerFingerprintSource?: string | undefined;
}

/**
 * The TLS part of the connect options (node:tls, through mqtt.js): the broker's CA from `caFile`
 * and/or `brokerCa` (else the system's CAs), and the pinned certificate, checked on every
 * connect before the credentials are sent. The options only matter for mqtts:// and wss://.
 */
export async function brokerTlsOptions(
  settings: BrokerTlsSettings,
): Promise<IClientOptions & Pick<ConnectionOptions, 'checkServerIdentity'>> {
  const cas: string[] = [];
  if (settings.caFile !== undefined) cas.push(await readFile(settings.caFile, 'utf8'));
  if (settings.brokerCa !== undefined) cas.push(settings.brokerCa);
  const options: IClientOptions & Pick<ConnectionOptions, 'checkServerIdentity'> = {};
  if (cas.length > 0) options.ca = cas;
  if (settings.brokerFingerprint !== undefined) {
    options.rejectUnauthorized = true;
    options.checkServerIdentity = pinnedServerIdentity(
      settings.brokerFingerprint,
      settings.brokerFingerprintSource ?? 'brokerFingerprint',
    );
  }
  return options;
}

/**
 * The delay before reconnect attempt `attempt` (0-based): exponential from `minMs`, capped at
 * `maxMs`, with "equal jitter" (between half and all of it) so a fleet that lost its broker at
 * the same moment does not come back in lockstep.
 */
export function reconnectDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
