import type { Command } from 'commander';
import { stdoutOut } from './output.js';
import type { GlobalOptions } from './project-context.js';

type Cell = string | number | boolean | null | undefined;

/** How one `… list` command reads its items and prints them. */
export interface ListCommandSpec<Source, Value, Item, Options> {
  /** The command's name and arguments; `list` unless said. */
  name?: string;
  /** Run when the group is called without a command (`minke policies`). */
  isDefault?: boolean;
  description: string;
  /** Options before `--json`, as commander takes them: flags, description. */
  options?: readonly (readonly [flags: string, description: string])[];
  /** The group's `with…` helper: the local project or, with `--server`, a server's API. */
  open: <T>(globals: GlobalOptions, work: (source: Source) => Promise<T>) => Promise<T>;
  read: (source: Source, options: Options) => Promise<Value>;
  /** The rows of what `read` returned (`--json` prints that value whole). */
  items: (value: Value) => readonly Item[];
  columns: readonly string[];
  row: (item: Item) => Cell[];
  /**
   * The line printed instead of an empty table, where it should say what to do next (which may
   * depend on the filters given: nothing enrolled is not the same as nothing matching).
   */
  empty?: string | ((options: Options) => string);
}

/**
 * Adds a list command to a group: its options and `--json`, then the value read from the group's
 * source, printed as JSON or as a table. Every list prints the same way on either side.
 */
export function addListCommand<Source, Value, Item, Options extends object = object>(
  group: Command,
  globals: () => GlobalOptions,
  spec: ListCommandSpec<Source, Value, Item, Options>,
): Command {
  const command = group
    .command(spec.name ?? 'list', { isDefault: spec.isDefault === true })
    .description(spec.description);
  for (const [flags, description] of spec.options ?? []) command.option(flags, description);
  return command
    .option('--json', 'print JSON')
    .action(async (options: Options & { json?: boolean }) => {
      const out = stdoutOut();
      const value = await spec.open(globals(), (source) => spec.read(source, options));
      if (options.json) return out.json(value);
      const items = spec.items(value);
      if (items.length === 0 && spec.empty !== undefined)
        return out.line(typeof spec.empty === 'string' ? spec.empty : spec.empty(options));
      out.table([...spec.columns], items.map(spec.row));
    });
}
