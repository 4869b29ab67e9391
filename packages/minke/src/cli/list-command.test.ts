import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addListCommand } from './list-command.js';
import type { GlobalOptions } from './project-context.js';

interface Fruit {
  name: string;
  ripe: boolean;
}

interface FruitSource {
  list(): Promise<Fruit[]>;
}

/** A group with one list command over `fruits`, run as a user types it; returns what it printed. */
async function runList(
  fruits: Fruit[],
  args: string[],
): Promise<{ printed: string; asked: unknown[] }> {
  const asked: unknown[] = [];
  const program = new Command('minke').exitOverride();
  const group = program.command('fruits');
  const source: FruitSource = { list: () => Promise.resolve(fruits) };
  addListCommand<FruitSource, Fruit[], Fruit, { colour?: string }>(
    group,
    () => program.opts<GlobalOptions>(),
    {
      description: 'list fruits',
      options: [['--colour <colour>', 'only this colour']],
      open: (_globals, work) => work(source),
      read: (from, options) => {
        asked.push(options.colour);
        return from.list();
      },
      items: (list) => list,
      empty: 'no fruit yet',
      columns: ['NAME', 'RIPE'],
      row: (fruit) => [fruit.name, fruit.ripe ? 'yes' : ''],
    },
  );
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  await program.parseAsync(['node', 'minke', 'fruits', 'list', ...args]);
  return { printed: chunks.join(''), asked };
}

describe('addListCommand', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints the items as a table, with the options passed to the read', async () => {
    const { printed, asked } = await runList(
      [
        { name: 'apple', ripe: true },
        { name: 'quince', ripe: false },
      ],
      ['--colour', 'green'],
    );
    expect(printed).toBe('NAME    RIPE\napple   yes\nquince\n');
    expect(asked).toEqual(['green']);
  });

  it('prints the value read as JSON with --json', async () => {
    const { printed } = await runList([{ name: 'apple', ripe: true }], ['--json']);
    expect(JSON.parse(printed)).toEqual([{ name: 'apple', ripe: true }]);
  });

  it('says what to do instead of an empty table, and [] with --json', async () => {
    expect((await runList([], [])).printed).toBe('no fruit yet\n');
    expect(JSON.parse((await runList([], ['--json'])).printed)).toEqual([]);
  });
});
