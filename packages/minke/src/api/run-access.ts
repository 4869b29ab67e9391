import type { Principal } from '../auth/principal.js';
import { NotFoundError } from '../errors.js';
import { runOwner } from '../runs/list-runs.js';
import type { Database } from '../store/database.js';

const CACHE_LIMIT = 10_000;

/**
 * Who may see a run: the user who started it, and superusers. Runs the CLI started (no user) are
 * superusers' only. Another user's run is reported as not existing (404), not as forbidden, so
 * that ids reveal nothing. Owners never change, so they are cached for the event stream.
 */
export class RunAccess {
  private readonly owners = new Map<number, number | null>();

  constructor(private readonly database: Database) {}

  /** Throws NotFoundError unless the run exists and the principal may see it. */
  async checkRun(principal: Principal, runId: number): Promise<void> {
    if (!(await this.maySeeRun(principal, runId)))
      throw new NotFoundError(`run ${runId} does not exist`);
  }

  async maySeeRun(principal: Principal, runId: number): Promise<boolean> {
    const owner = await this.ownerOf(runId);
    if (owner === undefined) return false;
    return principal.access.isSuperuser || owner === principal.user.id;
  }

  /** Throws NotFoundError unless the principal may see a session record of this user. */
  checkRecord(principal: Principal, record: { id: number; userId: number | null }): void {
    if (!principal.access.isSuperuser && record.userId !== principal.user.id) {
      throw new NotFoundError(`session record ${record.id} does not exist`);
    }
  }

  /** Forgets the runs of a deleted user (their runs lost their owner; the id may come back). */
  forgetOwner(userId: number): void {
    for (const [runId, owner] of this.owners) if (owner === userId) this.owners.delete(runId);
  }

  private async ownerOf(runId: number): Promise<number | null | undefined> {
    if (this.owners.has(runId)) return this.owners.get(runId);
    const found = await runOwner(this.database, runId);
    if (!found) return undefined;
    if (this.owners.size >= CACHE_LIMIT) this.owners.clear();
    this.owners.set(runId, found.userId);
    return found.userId;
  }
}
