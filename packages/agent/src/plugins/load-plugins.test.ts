import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, writeFiles } from '../test-support/temp.js';
import { loadPlugins } from './load-plugins.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function pluginDir(files: Record<string, string>): Promise<string> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  await writeFiles(dir, files);
  return dir;
}

describe('loadPlugins', () => {
  it('reads .cfg and .ini files in name order and ignores other files', async () => {
    const dir = await pluginDir({
      'b.ini': '[b]\nname = b\ncommand = true\n',
      'a.cfg': '[a]\nname = a\ncommand = true\n',
      'README.md': 'not a plugin',
      '.hidden.cfg': 'junk',
      'notes.cfg~': 'junk',
    });
    await mkdir(join(dir, 'sub.cfg'));
    const set = await loadPlugins(dir);
    expect(set.plugins.map((plugin) => plugin.name)).toEqual(['a', 'b']);
    expect(set.rejected).toEqual([]);
  });

  it('keeps the valid plugins and lists every rejected file with its reason', async () => {
    const dir = await pluginDir({
      'facter.cfg': '[facter]\nname = facter\ncommand = facter -y\nresult_format = yaml\n',
      'broken.cfg': '[broken]\nname = broken\ncommand = broken\nresult_format = broken\n',
      'garbage.cfg': 'this is not ini\n',
    });
    const set = await loadPlugins(dir);
    expect(set.plugins.map((plugin) => plugin.name)).toEqual(['facter']);
    expect(set.rejected).toEqual([
      {
        file: 'broken.cfg',
        reason:
          '[broken] unknown result_format "broken" (known: json, yaml, output, string, raw, pylist, pydict)',
      },
      {
        file: 'garbage.cfg',
        reason:
          'does not parse: line 1: expected "[section]" or "key = value", got "this is not ini"',
      },
    ]);
  });

  it('keeps the first definition of a name and rejects the others', async () => {
    const dir = await pluginDir({
      'a.cfg': '[ps]\nname = ps\ncommand = ps -ef\n',
      'b.cfg': '[other]\nname = ps\ncommand = ps aux\n',
    });
    const set = await loadPlugins(dir);
    expect(set.plugins.map((plugin) => plugin.command)).toEqual(['ps -ef']);
    expect(set.rejected).toEqual([
      { file: 'b.cfg', reason: '[other] plugin "ps" is already defined in a.cfg [ps]' },
    ]);
  });

  it.skipIf(process.platform === 'win32')(
    'rejects a plugin file that every user can write',
    async () => {
      const dir = await pluginDir({ 'open.cfg': '[p]\nname = p\ncommand = true\n' });
      await chmod(join(dir, 'open.cfg'), 0o666);
      expect((await loadPlugins(dir)).rejected).toEqual([
        { file: 'open.cfg', reason: 'is writable by every user; fix with chmod o-w' },
      ]);
    },
  );

  it('throws a clear error when the directory is missing', async () => {
    const dir = await pluginDir({});
    await expect(loadPlugins(join(dir, 'nope'))).rejects.toThrow(
      `plugin directory ${join(dir, 'nope')}: does not exist`,
    );
  });
});
