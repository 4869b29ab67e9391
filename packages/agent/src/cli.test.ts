import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type CliIo } from './cli.js';
import { serverKeys } from './test-support/fake-server.js';
import { tempDir, writeFiles } from './test-support/temp.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function io(env: NodeJS.ProcessEnv = {}) {
  const out = { stdout: '', stderr: '' };
  const cli: CliIo = {
    stdout: (text) => void (out.stdout += text),
    stderr: (text) => void (out.stderr += text),
    // No config file from this machine: point MINKE_AGENT_CONFIG at an empty file when needed.
    env,
    stopRequested: () => new Promise(() => undefined),
  };
  return { cli, out };
}

async function pluginDir(files: Record<string, string>): Promise<string> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  await writeFiles(dir, files);
  return dir;
}

const good = {
  'facter.cfg':
    '[facter]\nname = facter\ndescription = Uses facter\ncommand = facter -y\nresult_format = yaml\n',
};

describe('minke-agent check', () => {
  it('exits 0 when every file is valid', async () => {
    const dir = await pluginDir(good);
    const { cli, out } = io();
    expect(await main(['check', dir], cli)).toBe(0);
    expect(out.stdout).toBe('ok facter (facter.cfg [facter])\n1 valid, 0 rejected\n');
    expect(out.stderr).toBe('');
  });

  it('exits non-zero listing each problem with its file and reason', async () => {
    const dir = await pluginDir({
      ...good,
      'broken.cfg': '[broken]\nname = broken\ncommand = broken\nresult_format = broken\n',
      'noname.ini': '[x]\ncommand = uptime\n',
      'garbage.cfg': 'garbage\n',
    });
    const { cli, out } = io();
    expect(await main(['check', dir], cli)).toBe(1);
    expect(out.stderr.split('\n').filter(Boolean)).toEqual([
      `${join(dir, 'broken.cfg')}: section at line 1: unknown result_format (line 4; known: json, yaml, output, string, raw, pylist, pydict)`,
      `${join(dir, 'garbage.cfg')}: does not parse: line 1: expected "[section]" or "key = value"`,
      `${join(dir, 'noname.ini')}: section at line 1: missing name`,
    ]);
    expect(out.stdout).toContain('1 valid, 3 rejected');
  });

  it('exits non-zero for an empty or missing directory, and 2 without one', async () => {
    const dir = await pluginDir({});
    const empty = io();
    expect(await main(['check', dir], empty.cli)).toBe(1);
    expect(empty.out.stderr).toBe(`${dir}: no plugin files (*.cfg, *.ini)\n`);
    const missing = io();
    expect(await main(['check', join(dir, 'nope')], missing.cli)).toBe(1);
    expect(missing.out.stderr).toBe(
      `minke-agent: plugin directory ${join(dir, 'nope')}: does not exist\n`,
    );
    const usage = io();
    expect(await main(['check'], usage.cli)).toBe(2);
    expect(usage.out.stderr).toMatch(/^minke-agent: check needs exactly one directory/);
  });
});

describe('minke-agent list', () => {
  it('lists the authorized plugins without a broker', async () => {
    const dir = await pluginDir({
      ...good,
      'ps.cfg':
        '[ps]\nname = ps\ndescription = Processes\ncommand = ps -ef\nresult_format = output\ninterval = 5m\ncommand_alias = get_procs\n',
      'broken.cfg': '[broken]\nname = broken\ncommand = x\nresult_format = broken\n',
    });
    const config = join(dir, 'agent.yaml');
    await writeFiles(dir, { 'agent.yaml': 'brokerUrl: mqtt://192.0.2.1:1883\n' });
    const { cli, out } = io({ MINKE_AGENT_CONFIG: config });
    expect(await main(['list', '--plugins', dir], cli)).toBe(0);
    expect(out.stdout).toBe(
      [
        'NAME    FORMAT  INTERVAL  ALIAS      DESCRIPTION',
        'facter  yaml    -         -          Uses facter',
        'ps      output  300s      get_procs  Processes',
        '',
      ].join('\n'),
    );
    expect(out.stderr).toBe(
      `rejected: ${join(dir, 'broken.cfg')}: section at line 1: unknown result_format (line 4; known: json, yaml, output, string, raw, pylist, pydict)\n`,
    );
  });

  it('lists as JSON, taking the node, spool and plugin directory from the config file', async () => {
    const dir = await pluginDir({
      'agent.yaml': 'node: web7\npluginsDir: .\n',
      'facter.cfg': `${good['facter.cfg']}command_alias = get_facts\n`,
    });
    const { cli, out } = io();
    expect(await main(['list', '--config', join(dir, 'agent.yaml'), '--json'], cli)).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      node: 'web7',
      spoolDir: '/var/lib/minke-agent/web7',
      pluginsDir: dir,
      plugins: [
        {
          name: 'facter',
          description: 'Uses facter',
          format: 'yaml',
          commandAlias: 'get_facts',
          command: 'facter -y',
          file: 'facter.cfg [facter]',
        },
      ],
      rejected: [],
    });
  });
});

describe('minke-agent run --strict', () => {
  it('refuses to start when a plugin file is malformed, naming each problem', async () => {
    const dir = await pluginDir({
      ...good,
      'broken.cfg': '[broken]\nname = broken\ncommand = x\nresult_format = xml\n',
      'garbage.cfg': 'garbage\n',
      'agent.yaml': [
        'node: web1',
        'brokerUrl: mqtt://127.0.0.1:9',
        `serverPublicKey: ${serverKeys().publicKeyBase64}`,
        'pluginsDir: .',
        'spoolDir: spool',
      ].join('\n'),
    });
    const { cli, out } = io();
    expect(await main(['run', '--config', join(dir, 'agent.yaml'), '--strict'], cli)).toBe(1);
    // One line naming each file and its problem (the reasons' wording is the loader's).
    const [line, ...more] = out.stderr.split('\n').filter(Boolean);
    expect(more).toEqual([]);
    expect(line).toMatch(/^minke-agent: --strict: not starting, 2 plugin problem\(s\): /);
    expect(line).toContain(`${join(dir, 'broken.cfg')}: `);
    expect(line).toMatch(/unknown result_format/);
    expect(line).toContain(`; ${join(dir, 'garbage.cfg')}: does not parse: line 1`);
    // Nothing was started: no spool was made.
    await expect(readdir(dir)).resolves.not.toContain('spool');
  });
});

describe('minke-agent errors', () => {
  it('prints one line and exits non-zero', async () => {
    const dir = await pluginDir({ 'agent.yaml': 'pluginsDir: .\n' });
    const cases: Array<[string[], number, RegExp]> = [
      [['run', '--config', join(dir, 'agent.yaml')], 1, /^minke-agent: .*brokerUrl is not set/],
      [['run', '--bogus'], 2, /^minke-agent: Unknown option '--bogus'/],
      [['frob'], 2, /^minke-agent: unknown command "frob"/],
      [
        ['list', '--config', join(dir, 'missing.yaml')],
        1,
        /^minke-agent: .*missing.yaml: cannot be read/,
      ],
    ];
    for (const [argv, code, message] of cases) {
      const { cli, out } = io();
      expect(await main(argv, cli), argv.join(' ')).toBe(code);
      expect(out.stderr).toMatch(message);
      expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('prints help and version', async () => {
    const help = io();
    expect(await main(['--help'], help.cli)).toBe(0);
    expect(help.out.stdout).toMatch(/^Usage: minke-agent <command>/);
    const version = io();
    expect(await main(['--version'], version.cli)).toBe(0);
    expect(version.out.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
