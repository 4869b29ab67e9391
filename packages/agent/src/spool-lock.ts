import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Who holds a spool: written into its `lock` file. */
export interface LockHolder {
  pid: number;
  node: string | undefined;
  /** The holder's start time as the kernel counts it (Linux), so a reused pid is not mistaken for it. */
  processStart: string | undefined;
}

/** A second agent on a spool that is in use: the message names the node and process holding it. */
export class SpoolInUseError extends Error {
  override readonly name = 'SpoolInUseError';
}

/**
 * The exclusive lock of a spool directory, held while an agent runs: the file `lock` holds the
 * holder's pid, node name and process start time. It is created complete in one step (written
 * to a temporary name, then hard-linked into place, which fails if a lock exists), so another
 * agent never reads half of one. A lock whose process is gone, or whose pid now belongs to a
 * process that started at another time, is stale and taken over.
 *
 * @example
 *   const lock = await SpoolLock.take('/var/lib/minke-agent/web1', 'web1');
 *   // ... run ...
 *   await lock.release();
 */
export class SpoolLock {
  private released = false;

  private constructor(private readonly path: string) {}

  static async take(dir: string, node: string): Promise<SpoolLock> {
    const path = join(dir, 'lock');
    const mine: LockHolder = { pid: process.pid, node, processStart: processStart(process.pid) };
    const content = JSON.stringify(mine);
    // A stale lock is removed and the take retried; two tries cover one stale lock.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await createWith(path, content)) return new SpoolLock(path);
      const seen = await readFile(path, 'utf8').catch(() => undefined);
      if (seen === undefined) continue; // released in the meantime
      const holder = parseHolder(seen);
      if (holder?.pid === process.pid)
        throw new SpoolInUseError(`spool ${dir} is already open in this process`);
      if (holder && isAlive(holder)) throw inUse(dir, holder);
      // Stale. Remove it only if it is still the lock we judged, not one a racing agent made.
      const again = await readFile(path, 'utf8').catch(() => undefined);
      if (again === seen) await unlink(path).catch(ignoreMissing);
    }
    throw new SpoolInUseError(`spool ${dir}: cannot take the lock ${path}`);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    // Only our own lock: never one another agent took after ours was removed by hand.
    const holder = parseHolder(await readFile(this.path, 'utf8').catch(() => ''));
    if (holder?.pid === process.pid) await unlink(this.path).catch(ignoreMissing);
  }
}

function inUse(dir: string, holder: LockHolder): SpoolInUseError {
  const who = holder.node === undefined ? 'another agent' : `the agent of node ${holder.node}`;
  return new SpoolInUseError(
    `spool ${dir} is in use by ${who} (process ${holder.pid}): every agent needs its own spoolDir ` +
      `(remove ${join(dir, 'lock')} only if that process is not a minke-agent)`,
  );
}

/** Creates `path` holding `content`, or returns false when it exists. */
async function createWith(path: string, content: string): Promise<boolean> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    // A file system without hard links: exclusive create, then the content.
    try {
      await writeFile(path, content, { mode: 0o600, flag: 'wx' });
      return true;
    } catch (fallback) {
      if ((fallback as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallback;
    }
  } finally {
    await unlink(temporary).catch(ignoreMissing);
  }
}

/** The lock's content: JSON from this version, or a bare pid from older agents. */
export function parseHolder(text: string): LockHolder | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed))
    return { pid: Number(trimmed), node: undefined, processStart: undefined };
  try {
    const value = JSON.parse(trimmed) as Partial<Record<keyof LockHolder, unknown>>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0)
      return undefined;
    return {
      pid: value.pid,
      node: typeof value.node === 'string' ? value.node : undefined,
      processStart: typeof value.processStart === 'string' ? value.processStart : undefined,
    };
  } catch {
    return undefined;
  }
}

function isAlive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The pid is in use; by the same process only if it started when the holder did.
  if (holder.processStart === undefined) return true;
  const now = processStart(holder.pid);
  return now === undefined || now === holder.processStart;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined off Linux. */
function processStart(pid: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
