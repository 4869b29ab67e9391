import { afterAll, describe, expect, it } from 'vitest';
import { createTransport } from '../create-transport.js';
import { resolveConnectionConfig } from '../config/resolve-connection.js';
import { LocalTransport } from './local-transport.js';

const local = new LocalTransport();
afterAll(() => local.close());

/**
 * What only the local transport does; what every transport does (commands, exit codes, env, big
 * output, time-outs, killing the process group, sudo, files) is in
 * `../transport.conformance.int.test.ts`.
 */
describe('LocalTransport', () => {
  it('accepts pty but runs without one', async () => {
    const result = await local.exec('tty', { pty: true });
    expect(result.pty).toBe(false);
    expect(result.exitCode).not.toBe(0);
  });
});

describe('createTransport', () => {
  it('gives a local transport when the config says so', async () => {
    const config = await resolveConnectionConfig({
      name: 'minke-itself',
      host: { transport: 'local', sshConfigFile: false, env: { FROM_CONFIG: 'yes' } },
    });
    const transport = createTransport(config);
    expect(transport.kind).toBe('local');
    expect((await transport.exec('printf %s "$FROM_CONFIG"')).stdout).toBe('yes');
    await transport.close();
  });
});
