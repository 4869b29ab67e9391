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
