import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from './run-command.js';

const limits = { cwd: tmpdir(), timeoutMs: 10_000, maxBytes: 1024 };
const node = (code: string) => [process.execPath, '-e', code];

describe('runCommand', () => {
  afterEach(() => {
    delete process.env['MINKE_REDIS_PASSWORD'];
    delete process.env['INVENTORY_CLOUD_TOKEN'];
  });

  it("passes the environment on, without Minke's own secrets", async () => {
    process.env['MINKE_REDIS_PASSWORD'] = 'not-for-scripts';
    process.env['INVENTORY_CLOUD_TOKEN'] = 'for-the-script';
    const printed = await runCommand(
      node(
        'process.stdout.write(JSON.stringify([process.env.MINKE_REDIS_PASSWORD ?? null, process.env.INVENTORY_CLOUD_TOKEN]))',
      ),
      limits,
    );
    expect(JSON.parse(printed)).toEqual([null, 'for-the-script']);
  });

  it('stops a command that prints more than allowed', async () => {
    await expect(
      runCommand(node('process.stdout.write("x".repeat(5000))'), limits),
    ).rejects.toThrow(/printed more than the 1024 bytes allowed/);
  });

  it('says when the program cannot start', async () => {
    await expect(runCommand(['./no-such-inventory-script'], limits)).rejects.toThrow(
      /command \.\/no-such-inventory-script: cannot start \(spawn .* ENOENT\)/,
    );
  });
});
