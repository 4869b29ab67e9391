import type { MinkeKysely } from '../store/minke-kysely.js';
import { inTransaction, type DatabaseHandle } from '../store/transaction.js';

/** One object's newest session record a viewer cleared. */
export interface SessionClear {
  objectId: number;
  clearedUpto: number;
}

/**
 * The one writer of `minke_session_clears`: what each viewer (a user's id, or null for the local
 * operator) cleared from their "current session" view, per object.
 */
export class SessionClearStore {
  constructor(private readonly database: DatabaseHandle) {}

  /** Replaces the viewer's clears of these objects, in one transaction. */
  async replace(
    model: string,
    viewer: number | null,
    clears: readonly SessionClear[],
  ): Promise<void> {
    if (clears.length === 0) return;
    await inTransaction(this.database, async (trx) => {
      const db: MinkeKysely = trx.tables;
      await db
        .deleteFrom('minke_session_clears')
        .where('model', '=', model)
        .where(
          'object_id',
          'in',
          clears.map((clear) => clear.objectId),
        )
        .where('user_id', viewer === null ? 'is' : '=', viewer)
        .execute();
      await db
        .insertInto('minke_session_clears')
        .values(
          clears.map((clear) => ({
            user_id: viewer,
            model,
            object_id: clear.objectId,
            cleared_upto: clear.clearedUpto,
          })),
        )
        .execute();
    });
  }
}
