import { chmod, link, mkdir, symlink, writeFile } from 'node:fs/promises';
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
          'section at line 1: unknown result_format (line 4; known: json, yaml, output, string, raw, pylist, pydict)',
      },
      {
        file: 'garbage.cfg',
        reason: 'does not parse: line 1: expected "[section]" or "key = value"',
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
      { file: 'b.cfg', reason: 'plugin "ps" is already defined in a.cfg' },
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

  it.skipIf(process.platform === 'win32')(
    'refuses symbolic and hard links without reading them, quoting nothing of their target',
    async () => {
      const dir = await pluginDir({ 'ok.cfg': '[ok]\nname = ok\ncommand = true\n' });
      const { dir: outside, cleanup } = await tempDir();
      cleanups.push(cleanup);
      const secret = join(outside, 'shadow');
      await writeFile(secret, 'root:s3cr3t-hash:19000:0:99999:7:::\n');
      const plugin = join(outside, 'real.cfg');
      await writeFile(plugin, '[p]\nname = p\ncommand = true\n');
      await symlink(secret, join(dir, 'shadow.cfg'));
      await symlink(plugin, join(dir, 'linked.cfg')); // a valid plugin, but not here
      await symlink(join(outside, 'nowhere'), join(dir, 'dangling.cfg'));
      await link(secret, join(dir, 'hard.cfg'));
      const set = await loadPlugins(dir);
      expect(set.plugins.map((p) => p.name)).toEqual(['ok']);
      const symlinkReason =
        'is a symbolic link; plugin files must be regular files in the plugin directory (copy it there)';
      expect(set.rejected).toEqual([
        { file: 'dangling.cfg', reason: symlinkReason },
        {
          file: 'hard.cfg',
          reason: 'has 2 hard links; a plugin file must have one name (copy it instead of linking)',
        },
        { file: 'linked.cfg', reason: symlinkReason },
        { file: 'shadow.cfg', reason: symlinkReason },
      ]);
      expect(JSON.stringify(set.rejected)).not.toContain('s3cr3t');
    },
  );

  it('throws a clear error when the directory is missing', async () => {
    const dir = await pluginDir({});
    await expect(loadPlugins(join(dir, 'nope'))).rejects.toThrow(
      `plugin directory ${join(dir, 'nope')}: does not exist`,
    );
  });
});
