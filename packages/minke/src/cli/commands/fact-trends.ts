import type { Command } from 'commander';
import { addTimeRange, isoTimeRangeOf, type TimeRangeFlags } from '../time-range.js';
import type { FactChangesPage, FactDistribution, FactSeries } from '@minke/contract';
import { stdoutOut, type Out } from '../output.js';
import type { WithFacts } from '../remote/remote-facts.js';
import { parseCount } from '../count-flags.js';

interface PageOptions {
  limit?: string;
  offset?: string;
  json?: boolean;
}

/**
 * `minke facts series|changes|distribution`: facts over time, as the API and the web admin
 * give them (the same operations, on the local project or through `--server`), printed as tables
 * or JSON.
 */
export function registerFactTrendCommands(facts: Command, withFacts: WithFacts): void {
  const series = facts
    .command('series <plugin> [path]')
    .description(
      "a numeric fact path's values per host over time, from the history (e.g. `minke facts series disk root.used_percent --host web-1`)",
    )
    .option('--host <name>', 'one host (default: every host with the fact, a page of them)');
  addTimeRange(series, { what: 'values', sinceDefault: '30d', untilDefault: 'now' })
    .option('--max-points <n>', 'the most points to print (default 1000)')
    .option('--limit <n>', 'hosts per page (default 50)')
    .option('--offset <n>', 'hosts to skip')
    .option('--json', 'print JSON')
    .action(
      async (
        plugin: string,
        path: string | undefined,
        options: PageOptions & TimeRangeFlags & { host?: string; maxPoints?: string },
      ) => {
        const out = stdoutOut();
        const reply = await withFacts((source) =>
          source.series({
            plugin,
            path: path ?? '',
            host: options.host,
            ...isoTimeRangeOf(options),
            maxPoints: count(options.maxPoints, '--max-points'),
            limit: count(options.limit, '--limit'),
            offset: count(options.offset, '--offset'),
          }),
        );
        if (options.json) return out.json(reply);
        printSeries(out, reply);
      },
    );

  facts
    .command('changes <plugin> [path]')
    .description(
      'the hosts whose value at a fact path changed in the last days, newest first (e.g. `minke facts changes os kernel --days 7`)',
    )
    .option('--days <n>', 'how many days back (default 7)')
    .option('--limit <n>', 'how many (default 50)')
    .option('--offset <n>', 'how many to skip')
    .option('--json', 'print JSON')
    .action(
      async (
        plugin: string,
        path: string | undefined,
        options: PageOptions & { days?: string },
      ) => {
        const out = stdoutOut();
        const reply = await withFacts((source) =>
          source.changes({
            plugin,
            path: path ?? '',
            days: count(options.days, '--days'),
            limit: count(options.limit, '--limit'),
            offset: count(options.offset, '--offset'),
          }),
        );
        if (options.json) return out.json(reply);
        printChanges(out, reply);
      },
    );

  facts
    .command('distribution <plugin> [path]')
    .description(
      'how many hosts hold each current value of a fact path, the commonest first (e.g. `minke facts distribution os kernel`)',
    )
    .option('--top <n>', 'how many values to name; the rest count as other (default 10)')
    .option('--json', 'print JSON')
    .action(
      async (
        plugin: string,
        path: string | undefined,
        options: { top?: string; json?: boolean },
      ) => {
        const out = stdoutOut();
        const reply = await withFacts((source) =>
          source.distribution({ plugin, path: path ?? '', top: count(options.top, '--top') }),
        );
        if (options.json) return out.json(reply);
        printDistribution(out, reply);
      },
    );
}

function count(text: string | undefined, flag: string): number | undefined {
  return text === undefined ? undefined : parseCount(text, flag);
}

function printSeries(out: Out, reply: FactSeries): void {
  const shown = reply.path === '' ? reply.plugin : `${reply.plugin} ${reply.path}`;
  if (reply.total === 0) {
    out.line(`no host reported ${reply.plugin} yet`);
    return;
  }
  out.table(
    ['HOST', 'AT', 'VALUE'],
    reply.hosts.flatMap((host) =>
      host.points.length === 0
        ? [[host.host, '', '(no numbers)']]
        : host.points.map((point) => [host.host, point.at, point.value]),
    ),
  );
  out.line();
  out.line(`${shown} from ${reply.since} to ${reply.until}`);
  if (reply.skipped > 0) {
    out.line(`${reply.skipped} version(s) left out: missing or not a number at the path`);
  }
  if (reply.message) out.line(reply.message);
  if (reply.offset + reply.hosts.length < reply.total) {
    out.line(
      `hosts ${reply.offset + 1}-${reply.offset + reply.hosts.length} of ${reply.total}: --offset ${reply.offset + reply.hosts.length} for more`,
    );
  }
}

function printChanges(out: Out, reply: FactChangesPage): void {
  if (reply.total === 0) {
    out.line(`no host changed ${describe(reply)} since ${reply.since}`);
    return;
  }
  out.table(
    ['HOST', 'AT', 'BEFORE', 'AFTER'],
    reply.items.map((change) => [
      change.host,
      change.at,
      short(change.before ?? '(none)'),
      short(change.after ?? '(none)'),
    ]),
  );
  out.line();
  out.line(
    `${reply.total} change(s) of ${describe(reply)} since ${reply.since}${reply.offset + reply.items.length < reply.total ? `; --offset ${reply.offset + reply.items.length} for more` : ''}`,
  );
  if (reply.message) out.line(reply.message);
}

function printDistribution(out: Out, reply: FactDistribution): void {
  if (reply.total === 0) {
    out.line(`no host reported ${reply.plugin} yet`);
    return;
  }
  const share = (hosts: number) => `${Math.round((hosts / reply.total) * 100)}%`;
  const rows: (string | number)[][] = reply.values.map((v) => [
    short(v.value),
    v.hosts,
    share(v.hosts),
  ]);
  if (reply.other.hosts > 0) {
    rows.push([
      `(${reply.other.values} other values)`,
      reply.other.hosts,
      share(reply.other.hosts),
    ]);
  }
  if (reply.missing > 0) rows.push(['(missing)', reply.missing, share(reply.missing)]);
  out.table(['VALUE', 'HOSTS', 'SHARE'], rows);
  out.line();
  out.line(`${reply.total} host(s) reported ${describe(reply)}`);
}

function describe(reply: { plugin: string; path: string }): string {
  return reply.path === '' ? reply.plugin : `${reply.plugin} ${reply.path}`;
}

function short(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
