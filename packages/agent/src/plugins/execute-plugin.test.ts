import { validate, ResultSchema } from '@minke/protocol';
import { describe, expect, it } from 'vitest';
import { executePlugin, NOT_AUTHORIZED, notAuthorizedResult } from './execute-plugin.js';
import { PLUGIN_DEFAULTS, type Plugin } from './plugin.js';

const plugin = (script: string, overrides: Partial<Plugin> = {}): Plugin => ({
  name: 'test',
  description: '',
  command: 'node -e ...',
  argv: [process.execPath, '-e', script],
  format: 'json',
  timeoutMs: 10_000,
  maxOutputBytes: PLUGIN_DEFAULTS.maxOutputBytes,
  source: 'test.cfg [test]',
  ...overrides,
});
const context = { node: 'web1', requestId: '6f1c2a43-0d52-4a43-9d7b-1a1f3b0f6a11' };

async function run(p: Plugin) {
  const result = await executePlugin(p, context);
  expect(validate(ResultSchema, result)).toMatchObject({ ok: true }); // always a valid message
  return result;
}

describe('executePlugin', () => {
  it('gives an ok result with the parsed value', async () => {
    const result = await run(plugin('console.log(JSON.stringify({ os: "linux" }))'));
    expect(result).toMatchObject({
      v: 1,
      requestId: context.requestId,
      node: 'web1',
      plugin: 'test',
      ok: true,
      format: 'json',
      value: { os: 'linux' },
      exitCode: 0,
    });
    expect(result.error).toBeUndefined();
  });

  it('gives an error result for invalid JSON, with the raw output', async () => {
    const result = await run(plugin('console.log("{not json")'));
    expect(result).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^invalid JSON output/),
      raw: '{not json\n',
    });
  });

  it('gives an error result for a non-zero exit, quoting stderr', async () => {
    const result = await run(
      plugin('console.error("no facts today"); process.exit(2)', { format: 'string' }),
    );
    expect(result).toMatchObject({
      ok: false,
      exitCode: 2,
      error: 'command exited with code 2: no facts today',
      stderr: 'no facts today\n',
    });
  });

  it('gives an error result for a missing binary and for a timeout', async () => {
    const missing = await run(plugin('', { argv: ['minke-no-such-binary-x'] }));
    expect(missing).toMatchObject({
      ok: false,
      error: 'command not found: minke-no-such-binary-x',
    });
    expect(missing.exitCode).toBeUndefined();
    const slow = await run(plugin('setTimeout(() => {}, 60000)', { timeoutMs: 200 }));
    expect(slow).toMatchObject({
      ok: false,
      error: 'timed out after 0.2 s and was killed',
      exitCode: null,
      signal: 'SIGTERM',
    });
  });

  it('keeps truncated text output as an ok result marked truncated', async () => {
    const result = await run(
      plugin('setInterval(() => console.log("line"), 1)', {
        format: 'output',
        maxOutputBytes: 100,
      }),
    );
    expect(result).toMatchObject({ ok: true, truncated: true });
    expect((result.value as string[]).every((line) => 'line'.startsWith(line))).toBe(true);
  });

  it('answers an unknown plugin with "not authorized on this node"', () => {
    const result = notAuthorizedResult('rm-everything', context);
    expect(NOT_AUTHORIZED).toBe('not authorized on this node');
    expect(result).toMatchObject({
      ok: false,
      error: NOT_AUTHORIZED,
      plugin: 'rm-everything',
      requestId: context.requestId,
    });
    expect(validate(ResultSchema, result).ok).toBe(true);
  });
});
