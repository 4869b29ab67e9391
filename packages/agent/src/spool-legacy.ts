import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { agentSpoolDir, DEFAULT_SPOOL_BASE, ResultSchema, validate } from '@minke/protocol';
import type { Logger } from './logger.js';

/**
 * Agents before one-spool-per-node kept their spool in `/var/lib/minke-agent` itself, shared by
 * every agent of the machine. An agent with the new default (`<base>/<node>`) does not read it;
 * so that no result is lost without a word, this says once at start how many of this node's
 * unacknowledged results wait there, and what to do. Nothing is moved: another agent may still
 * use that spool. Returns how many it found.
 */
export async function reportLegacySpool(
  settings: { node: string; spoolDir: string },
  logger: Logger,
  base: string = DEFAULT_SPOOL_BASE,
): Promise<number> {
  if (settings.spoolDir !== agentSpoolDir(settings.node, base)) return 0; // chosen explicitly
  const dir = join(base, 'results');
  const names = await readdir(dir).catch(() => [] as string[]);
  let mine = 0;
  for (const name of names.filter((file) => file.endsWith('.json')).slice(0, 10_000)) {
    const json = await readFile(join(dir, name), 'utf8')
      .then((text) => JSON.parse(text) as unknown)
      .catch(() => undefined);
    const result = validate(ResultSchema, json);
    if (result.ok && result.value.node === settings.node) mine++;
  }
  if (mine > 0) {
    logger.warn(
      { legacySpool: base, results: mine, spool: settings.spoolDir },
      `the shared spool of older agents holds ${mine} unacknowledged result(s) of this node; ` +
        `they are not sent from there: move ${join(dir, '<id>.json')} files of this node into ` +
        `${join(settings.spoolDir, 'results')} while no agent runs, or leave them`,
    );
  }
  return mine;
}
