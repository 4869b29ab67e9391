import type { ConnectionOptions } from 'node:tls';
import { pinnedServerIdentity } from '@minke/protocol';
import type { IClientOptions } from 'mqtt';

/**
 * The part of an mqtt.js client the gateway uses (STYLE habit 2): tests and benchmarks can wrap
 * or replace it.
 */
export interface GatewayMqttClient {
  readonly connected: boolean;
  on(event: 'connect', listener: () => void): this;
  on(event: 'close' | 'offline', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'message', listener: (topic: string, payload: Buffer) => void): this;
  subscribeAsync(topics: string[], options: { qos: 1 }): Promise<unknown>;
  publishAsync(topic: string, payload: string, options: { qos: 1 }): Promise<unknown>;
  endAsync(force?: boolean): Promise<void>;
  /** Connects again with the same options (the gateway decides when: see its back-off). */
  reconnect(): unknown;
}

export type ConnectGatewayMqtt = (url: string, options: IClientOptions) => GatewayMqttClient;

/** mqtt.js, loaded when first used so that commands without a broker stay quick to start. */
export const connectGatewayMqtt = async (
  url: string,
  options: IClientOptions,
): Promise<GatewayMqttClient> => {
  const { default: mqtt } = await import('mqtt');
  return mqtt.connect(url, options);
};

/** How the gateway verifies a TLS broker: a CA (else the system's) and/or the pinned certificate. */
export interface BrokerTrust {
  ca?: string | undefined;
  fingerprint?: string | undefined;
  /** The setting the pin came from, for the refusal message. */
  where: string;
}

/** The TLS part of the gateway's connect options (only used for mqtts:// and wss:// URLs). */
export function gatewayTlsOptions(
  trust: BrokerTrust,
): IClientOptions & Pick<ConnectionOptions, 'checkServerIdentity'> {
  return {
    rejectUnauthorized: true,
    ...(trust.ca === undefined ? {} : { ca: trust.ca }),
    checkServerIdentity: pinnedServerIdentity(trust.fingerprint, trust.where),
  };
}

/** `connect` with the TLS options added to every attempt. */
export function withBrokerTrust(
  connect: (url: string, options: IClientOptions) => Promise<GatewayMqttClient>,
  trust: BrokerTrust,
): (url: string, options: IClientOptions) => Promise<GatewayMqttClient> {
  return (url, options) => connect(url, { ...options, ...gatewayTlsOptions(trust) });
}
