import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, COMMAND_GROUPS, commandWord } from './main.js';

const names = (program: Command) => program.commands.map((command) => command.name()).sort();

// A command runs with only its group registered: the table must name what each function adds.
describe('the CLI command groups', () => {
  it('name exactly the commands each register function adds', () => {
    for (const [groupNames, register] of COMMAND_GROUPS) {
      const program = new Command('minke');
      register(program);
      expect(names(program)).toEqual([...groupNames].sort());
    }
  });

  it('together are every command of the CLI, each once', () => {
    const all = COMMAND_GROUPS.flatMap(([groupNames]) => groupNames);
    expect(new Set(all).size).toBe(all.length);
    expect(names(buildProgram())).toEqual([...all].sort());
  });

  it('register only the group the command line names', () => {
    const argv = ['node', 'minke', '--project', 'hosts', 'groups', 'list'];
    expect(names(buildProgram(argv))).toEqual(['groups', 'hosts']);
    expect(names(buildProgram(['node', 'minke', 'run', 'X']))).toEqual(['run']);
  });

  it('register every command without a known command word', () => {
    const all = names(buildProgram());
    for (const argv of [
      [],
      ['--help'],
      ['--help', 'hosts'],
      ['-h', 'hosts', 'list'],
      ['help', 'hosts'],
      ['hots', 'list'],
      ['-p', 'dir'],
      ['--', 'hosts'],
    ])
      expect(names(buildProgram(['node', 'minke', ...argv]))).toEqual(all);
  });

  it('find the command word after global options and their values', () => {
    expect(commandWord(['node', 'minke', '-p', 'run', 'hosts'])).toBe('hosts');
    expect(commandWord(['node', 'minke', '--project=run', 'hosts'])).toBe('hosts');
    expect(commandWord(['node', 'minke', '--server', 'u', '--token-file', 'f', 'jobs'])).toBe(
      'jobs',
    );
    expect(commandWord(['node', 'minke', '-V'])).toBeUndefined();
  });
});
