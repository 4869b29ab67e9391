import { isTransportError } from '../transport/transport-error.js';
import type { Transport } from '../transport/transport.js';
import { countConnectFailure } from './process-metrics.js';

/**
 * A session's transport that connects explicitly before work when it is not connected, so a
 * connection that cannot be opened is counted in `minke_ssh_connect_failures_total{reason}`
 * (the transport error's reason: connection_refused, auth_failed, host_key_mismatch, ...). The
 * error itself goes on to the session unchanged. Sessions of one batch share one attempt.
 */
export function countingConnectFailures(transport: Transport): Transport {
  let connecting: Promise<void> | undefined;
  const connect = (): Promise<void> =>
    (connecting ??= transport
      .connect()
      .catch((error: unknown) => {
        countConnectFailure(isTransportError(error) ? error.reason : 'other');
        throw error;
      })
      .finally(() => (connecting = undefined)));
  const connected = async () => {
    if (!transport.connected) await connect();
  };
  return {
    get kind() {
      return transport.kind;
    },
    get connected() {
      return transport.connected;
    },
    connect,
    exec: async (command, options) => {
      await connected();
      return transport.exec(command, options);
    },
    put: async (source, remotePath, options) => {
      await connected();
      return transport.put(source, remotePath, options);
    },
    get: async (remotePath, options) => {
      await connected();
      return transport.get(remotePath, options);
    },
    close: () => transport.close(),
  };
}
