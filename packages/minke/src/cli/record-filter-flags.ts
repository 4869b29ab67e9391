import type { Command } from 'commander';
/** --where, --search and --order: which records, and in what order, for `list` and `export`. */
export function addFilterFlags(command: Command): Command {
  return command
    .option('--where <expr>', 'filter, e.g. "server.host.name = web-1 and version ^= 10."')
    .option('--search <text>', "look for text in the model's search fields")
    .option('--order <fields>', 'comma-separated fields, -field for descending');
}
