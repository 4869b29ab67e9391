import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import {
  RequestSchema,
  ResultSchema,
  validate,
  type Ack,
  type Outcome,
  type Request,
  type Result,
} from '@minke/protocol';
import { silentLogger, type Logger } from './logger.js';
import { SpoolInUseError, SpoolLock } from './spool-lock.js';

export interface SpoolOptions {
  /** The node whose spool this is: recorded in it, and the only node whose results it sends. */
  node: string;
  /** The most results kept; beyond it the oldest is dropped (and logged). Default 1000. */
  maxResults?: number;
  logger?: Logger;
}

/** What a spool holds that belongs to another node: left on disk, never sent. */
export interface ForeignEntries {
  results: number;
  jobs: number;
  nodes: string[];
}

/**
 * The agent's local, restart-proof memory, one directory:
 *
 * - `results/<result id>.json`: results not yet acknowledged by the server; they are sent again
 *   after every reconnect and periodically until the server acknowledges them;
 * - `jobs/<request id>.json`: requests accepted (and acknowledged to the broker) but not yet
 *   answered, so a crash between the two does not lose them;
 * - `seen.json`: the replay guard, so a restart does not make old requests new again;
 * - `node`: the node the spool belongs to; an agent of another node refuses to open it;
 * - `lock`: who uses the spool now (see {@link SpoolLock}); a second agent refuses to open it.
 *
 * One spool serves one node. Results of another node found in it (a spool that agents shared
 * before the rules above) are left alone and reported once, never sent: the server would refuse
 * them, and they would be resent forever.
 *
 * Every file is written to a temporary name, flushed to disk and then renamed, so a crash leaves
 * either the old file or the new one, never half of one.
 */
export class Spool {
  private readonly results = new Map<string, Result>();
  private readonly jobList = new Map<string, Request>();
  private readonly maxResults: number;
  private readonly logger: Logger;
  private readonly node: string;
  private readonly foreignNodes = new Set<string>();
  private foreignResults = 0;
  private foreignJobs = 0;
  private lockRef: SpoolLock | undefined;
  private closed = false;

  private constructor(
    readonly dir: string,
    options: SpoolOptions,
  ) {
    this.node = options.node;
    this.maxResults = Math.max(1, options.maxResults ?? 1000);
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * Opens (creating it if needed) and locks the spool of `options.node` in `dir`, loading what it
   * holds. Throws {@link SpoolInUseError} when another agent runs on it or it belongs to another
   * node.
   */
  static async open(dir: string, options: SpoolOptions): Promise<Spool> {
    const spool = new Spool(dir, options);
    await mkdir(join(dir, 'results'), { recursive: true, mode: 0o700 });
    await mkdir(join(dir, 'jobs'), { recursive: true, mode: 0o700 });
    spool.lockRef = await SpoolLock.take(dir, options.node);
    try {
      await spool.claim();
      await spool.loadAll();
    } catch (error) {
      await spool.close();
      throw error;
    }
    spool.reportForeign();
    return spool;
  }

  /** What this spool holds for other nodes (left alone, never sent). */
  get foreign(): ForeignEntries {
    return {
      results: this.foreignResults,
      jobs: this.foreignJobs,
      nodes: [...this.foreignNodes].sort(),
    };
  }

  /** Unacknowledged results, oldest first. */
  pendingResults(): Result[] {
    return [...this.results.values()].sort(byFinishedAt);
  }

  get resultCount(): number {
    return this.results.size;
  }

  hasResult(id: string): boolean {
    return this.results.has(id);
  }

  /** Keeps a result until it is acknowledged; drops the oldest one beyond `maxResults`. */
  async addResult(result: Result): Promise<void> {
    await this.write(join('results', `${result.id}.json`), result);
    this.results.set(result.id, result);
    while (this.results.size > this.maxResults) {
      const [oldest] = this.pendingResults();
      if (!oldest) break;
      this.logger.warn(
        { resultId: oldest.id, plugin: oldest.plugin, max: this.maxResults },
        'spool full: dropping the oldest unacknowledged result',
      );
      await this.removeResult(oldest.id);
    }
  }

  /** Forgets the acknowledged results; returns the ids of those it held. */
  async acknowledge(ack: Pick<Ack, 'resultIds' | 'requestIds'>): Promise<string[]> {
    const requestIds = new Set(ack.requestIds);
    const ids = [...this.results.values()]
      .filter(
        (result) =>
          ack.resultIds.includes(result.id) ||
          (result.requestId !== undefined && requestIds.has(result.requestId)),
      )
      .map((result) => result.id);
    for (const id of ids) await this.removeResult(id);
    return ids;
  }

  /** Accepted requests not yet answered, in the order they were accepted. */
  jobs(): Request[] {
    return [...this.jobList.values()];
  }

  async addJob(request: Request): Promise<void> {
    await this.write(join('jobs', `${request.id}.json`), request);
    this.jobList.set(request.id, request);
  }

  async removeJob(requestId: string): Promise<void> {
    this.jobList.delete(requestId);
    await removeFile(join(this.dir, 'jobs', `${requestId}.json`));
  }

  /** The saved replay guard, or `undefined` when there is none or it cannot be read. */
  async readGuard(): Promise<unknown> {
    try {
      return JSON.parse(await readFile(join(this.dir, 'seen.json'), 'utf8')) as unknown;
    } catch {
      return undefined;
    }
  }

  async writeGuard(snapshot: unknown): Promise<void> {
    await this.write('seen.json', snapshot);
  }

  /** Releases the lock; the files stay for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lockRef?.release();
  }

  /** Records the node in a new (or older, unrecorded) spool; refuses another node's spool. */
  private async claim(): Promise<void> {
    const path = join(this.dir, 'node');
    const recorded = (await readFile(path, 'utf8').catch(() => undefined))?.trim();
    if (recorded === this.node) return;
    if (recorded !== undefined && recorded !== '') {
      throw new SpoolInUseError(
        `spool ${this.dir} belongs to node ${recorded} (recorded in ${path}), not ${this.node}: ` +
          `give every agent its own spoolDir (remove ${path} only if the node was renamed)`,
      );
    }
    await this.write('node', this.node, false);
  }

  private async loadAll(): Promise<void> {
    await this.load('results', (json) => {
      const result = validate(ResultSchema, json);
      if (!result.ok) return result;
      if (result.value.node === this.node) this.results.set(result.value.id, result.value);
      else this.noteForeign('results', result.value.node);
      return result;
    });
    await this.load('jobs', (json) => {
      const request = validate(RequestSchema, json);
      if (!request.ok) return request;
      const target = request.value.target;
      if ('node' in target && target.node !== this.node) this.noteForeign('jobs', target.node);
      else this.jobList.set(request.value.id, request.value);
      return request;
    });
  }

  private noteForeign(kind: 'results' | 'jobs', node: string): void {
    this.foreignNodes.add(node);
    if (kind === 'results') this.foreignResults++;
    else this.foreignJobs++;
  }

  /** Once per start: what is left alone, so nobody wonders why it is never sent. */
  private reportForeign(): void {
    const { results, jobs, nodes } = this.foreign;
    if (results + jobs === 0) return;
    this.logger.warn(
      { spool: this.dir, results, jobs, nodes },
      `spool holds results or requests of other nodes: left alone and never sent (they are not node ${this.node}'s)`,
    );
  }

  private async removeResult(id: string): Promise<void> {
    this.results.delete(id);
    await removeFile(join(this.dir, 'results', `${id}.json`));
  }

  /** Reads every file of `subdir` into `keep`; sets aside the ones it refuses. */
  private async load(subdir: string, keep: (json: unknown) => Outcome<unknown>): Promise<void> {
    const dir = join(this.dir, subdir);
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (name.startsWith('.tmp-')) {
        await removeFile(path); // a write that a crash interrupted
        continue;
      }
      if (!name.endsWith('.json')) continue;
      const parsed = keep(await readJson(path));
      if (parsed.ok) continue;
      this.logger.warn({ file: path, reason: parsed.reason }, 'spool: unreadable file set aside');
      await rename(path, `${path}.corrupt`).catch(() => undefined);
    }
  }

  private async write(relative: string, value: unknown, json = true): Promise<void> {
    const path = join(this.dir, relative);
    const dir = join(path, '..');
    const temporary = join(dir, `.tmp-${randomUUID()}`);
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(json ? JSON.stringify(value) : String(value));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
    await syncDirectory(dir);
  }
}

function byFinishedAt(a: Result, b: Result): number {
  return a.finishedAt < b.finishedAt ? -1 : a.finishedAt > b.finishedAt ? 1 : a.id < b.id ? -1 : 1;
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Makes a rename durable; not every platform can open a directory, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort.
  } finally {
    await handle?.close();
  }
}
