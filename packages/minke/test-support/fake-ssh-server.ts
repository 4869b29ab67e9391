import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import { ed25519KeyPair } from './ssh2-keys.js';

/**
 * An SSH server on loopback that lets nobody in and remembers what each client offered: the
 * passwords and public keys an attacker's server would harvest. Its host key is made for the
 * test; `knownHostsLine` trusts it.
 */
export interface FakeSshServer {
  port: number;
  /** Connections accepted (a client that never connects leaves 0). */
  connections: number;
  passwords: string[];
  publicKeys: string[];
  /** A known_hosts line for this server, as OpenSSH writes it for a non-22 port. */
  knownHostsLine: string;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeSshServer(): Promise<FakeSshServer> {
  const keys = ed25519KeyPair();
  const state = { connections: 0, passwords: [] as string[], publicKeys: [] as string[] };
  const server = new ssh2.Server({ hostKeys: [keys.private] }, (client) => {
    state.connections += 1;
    client.on('error', () => {
      // The client gives up or is cut off: nothing to do for a server that admits nobody.
    });
    client.on('authentication', (context) => {
      if (context.method === 'password') state.passwords.push(context.password);
      if (context.method === 'publickey')
        state.publicKeys.push(context.key.data.toString('base64'));
      context.reject(['password', 'publickey']);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const [type, blob] = keys.public.split(' ');
  return {
    port,
    get connections() {
      return state.connections;
    },
    get passwords() {
      return state.passwords;
    },
    get publicKeys() {
      return state.publicKeys;
    },
    knownHostsLine: `[127.0.0.1]:${port} ${type} ${blob}`,
    reset() {
      state.connections = 0;
      state.passwords = [];
      state.publicKeys = [];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
