import type { Database, Prisma } from '../runtime/database';

export type Transaction = Prisma.TransactionClient;

/**
 * A guarded state change and what records it (timeline event, announcement), in one transaction: the
 * record is written only when the change took. An attempt Temporal retries after its answer was lost
 * (the first one committed) finds nothing left to change and records nothing; two attempts at once
 * are serialised by the changed row's lock, and the second finds nothing either.
 * True when this call made the change.
 */
export function changeOnce(db: Database, change: (tx: Transaction) => Promise<{ count: number }>, record: (tx: Transaction) => Promise<unknown>): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const { count } = await change(tx);
    if (count === 0) return false;
    await record(tx);
    return true;
  });
}
