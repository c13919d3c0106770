import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { Prisma, type Database } from '../runtime/database';
import type { Logger } from '../runtime/logger';
import { forEachBounded } from '../runtime/bounded';
import { givenUpAt, nextAttemptAt } from '../runtime/outbox-retry';
import { runPeriodically, type PeriodicJob } from '../runtime/periodic';
import { temporalRefusal } from './temporal-calls';

/**
 * Messages to dossiers' workflows recorded by the API before they are sent (bulk decisions' signals,
 * officers' task decisions), and the one relay that delivers them: claim → send → mark, with attempt
 * counts, a refusal told apart from an outage, and a doubling wait before a refused message is tried
 * again. Each kind of message has its own table with the same delivery columns (id, attempts,
 * last_error, next_attempt_at, delivered_at and an outcome column).
 */
export interface MessageOutbox<Row extends { id: string | bigint }> {
  /** The table, its id's SQL type and the column saying what came of the delivery. */
  table: string;
  idType: 'uuid' | 'bigint';
  outcomeColumn: string;
  /** The columns `send` needs, and the order the oldest come first in. */
  columns: string;
  orderBy: string;
  /** A further condition on the rows claimed (a message waiting for an earlier one of its dossier). */
  claimable?: string;
  /** Sends one message; throws when Temporal did not take it (refused, or unavailable). */
  send(row: Row): Promise<Delivery>;
}

/**
 * What came of a message Temporal took: DELIVERED, REJECTED by the workflow (its validator: decided
 * meanwhile, no longer awaited), WORKFLOW_ENDED (nothing to apply it to).
 */
export type Delivery = { outcome: 'DELIVERED' } | { outcome: 'REJECTED'; reason: string } | { outcome: 'WORKFLOW_ENDED' };

/** A delivery's outcome, REFUSED too: Temporal kept refusing the message itself (given up). */
export type ClosedAs = Delivery['outcome'] | 'REFUSED';

/** How often a message Temporal refuses is tried before it is given up as REFUSED, and how long it waits between. */
const refusalsBeforeGivingUp = 10;
const refusalBackoff = { initialSeconds: 1, maxSeconds: 600 };
const outageBackoff = { initialSeconds: 1, maxSeconds: 60 };

/** Temporal answered and refused this message itself (malformed, not allowed): retrying at once will not help. */
const refusedByTemporal = (error: unknown): boolean => temporalRefusal(error) !== undefined;

/**
 * A call to a workflow, with Temporal's answers that settle it turned into a Delivery: the workflow
 * refusing an update, or being gone. Anything else is thrown (refusal or outage, for the relay to tell).
 */
export async function asDelivery(call: () => Promise<unknown>): Promise<Delivery> {
  try {
    await call();
    return { outcome: 'DELIVERED' };
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) return { outcome: 'REJECTED', reason: error.cause?.message ?? error.message };
    if (error instanceof WorkflowNotFoundError) return { outcome: 'WORKFLOW_ENDED' };
    throw error;
  }
}

type Writer = Pick<Database | Prisma.TransactionClient, '$executeRaw'>;

const ids = <Row extends { id: string | bigint }>(outbox: MessageOutbox<Row>, rows: Row['id'][]) =>
  Prisma.sql`id = ANY(${rows.map(String)}::${Prisma.raw(outbox.idType)}[])`;

/** Closes messages with what came of them (the reason of a rejection kept as their last error). */
export async function closeMessages<Row extends { id: string | bigint }>(db: Writer, outbox: MessageOutbox<Row>, rows: Row['id'][], delivery: Delivery): Promise<void> {
  if (rows.length === 0) return;
  const reason = delivery.outcome === 'REJECTED' ? delivery.reason.slice(0, 2000) : null;
  await db.$executeRaw`
    UPDATE ${Prisma.raw(outbox.table)} SET delivered_at = now(), ${Prisma.raw(outbox.outcomeColumn)} = ${delivery.outcome},
      attempts = attempts + 1, last_error = coalesce(${reason}, last_error)
    WHERE ${ids(outbox, rows)}`;
}

/**
 * Not taken (Temporal unavailable, or this workflow not answering in time): counted, and tried again
 * after a short, growing wait, so one workflow that keeps timing out never holds up the others.
 */
async function countOutage<Row extends { id: string | bigint }>(db: Writer, outbox: MessageOutbox<Row>, rows: Row['id'][], error: string): Promise<void> {
  if (rows.length === 0) return;
  await db.$executeRaw`
    UPDATE ${Prisma.raw(outbox.table)} SET attempts = attempts + 1, last_error = ${error}, next_attempt_at = ${nextAttemptAt(Prisma.sql`attempts`, outageBackoff)}
    WHERE ${ids(outbox, rows)}`;
}

/** Refused by Temporal: tried again later, doubling the wait, then given up as REFUSED; the rest goes on. */
async function countRefusal<Row extends { id: string | bigint }>(db: Writer, outbox: MessageOutbox<Row>, row: Row['id'], error: string): Promise<void> {
  const outcome = Prisma.raw(outbox.outcomeColumn);
  const givenUp = givenUpAt(Prisma.sql`attempts + 1`, refusalsBeforeGivingUp);
  await db.$executeRaw`
    UPDATE ${Prisma.raw(outbox.table)}
    SET attempts = attempts + 1, last_error = ${error},
        next_attempt_at = ${nextAttemptAt(Prisma.sql`attempts`, refusalBackoff)},
        delivered_at = ${givenUp},
        ${outcome} = CASE WHEN ${givenUp} IS NOT NULL THEN 'REFUSED' END
    WHERE ${ids(outbox, [row])}`;
}

/**
 * Sends one message and records what came of it; answers the delivery, or undefined when Temporal did
 * not take it (the row then waits for the relay). For a caller that answers a person with the result.
 */
export async function sendMessage<Row extends { id: string | bigint }>(deps: RelayDependencies, outbox: MessageOutbox<Row>, row: Row): Promise<Delivery | undefined> {
  try {
    const delivery = await outbox.send(row);
    await closeMessages(deps.db, outbox, [row.id], delivery);
    return delivery;
  } catch (error) {
    const message = (error as Error).message;
    if (refusedByTemporal(error)) await countRefusal(deps.db, outbox, row.id, message);
    else await countOutage(deps.db, outbox, [row.id], message);
    deps.logger.warn({ outbox: outbox.table, err: message }, 'message not taken by Temporal; the relay will send it again');
    return undefined;
  }
}

export interface RelayDependencies {
  db: Database;
  temporal: Client;
  logger: Logger;
}

export interface DeliveryOptions {
  /** Messages sent at once: enough to hide each round trip, few enough to spare a busy Temporal. */
  concurrency: number;
  /** Rows claimed per transaction. */
  batchSize?: number;
}

/**
 * Delivers recorded messages, oldest first, and marks them. Rows are claimed with `FOR UPDATE SKIP
 * LOCKED` in a transaction held until they are marked, so API instances share the work and a crash
 * before the mark leaves them to be sent again (each message carries its own id: the workflow, or
 * Temporal's update deduplication, drops a repeat). Stops at the first message Temporal does not take
 * for being unavailable; the next run tries again. Returns how many rows it closed.
 */
export async function deliverMessages<Row extends { id: string | bigint }>(deps: RelayDependencies, outbox: MessageOutbox<Row>, options: DeliveryOptions): Promise<number> {
  const batchSize = options.batchSize ?? 200;
  let closed = 0;
  for (;;) {
    const batch = await deps.db.$transaction(
      async (tx) => {
        const pending = await tx.$queryRaw<Row[]>`
          SELECT ${Prisma.raw(outbox.columns)} FROM ${Prisma.raw(outbox.table)}
          WHERE delivered_at IS NULL AND next_attempt_at <= now() AND ${Prisma.raw(outbox.claimable ?? 'true')}
          ORDER BY ${Prisma.raw(outbox.orderBy)}
          LIMIT ${batchSize}
          FOR UPDATE SKIP LOCKED`;
        const settled = new Map<string, { ids: Row['id'][]; delivery: Delivery }>();
        const refused: { id: Row['id']; error: string }[] = [];
        const failed: Row['id'][] = [];
        let unavailable: string | undefined;
        await forEachBounded(pending, options.concurrency, async (row) => {
          if (unavailable) return;
          try {
            const delivery = await outbox.send(row);
            const key = delivery.outcome === 'REJECTED' ? `REJECTED:${delivery.reason}` : delivery.outcome;
            const group = settled.get(key) ?? { ids: [], delivery };
            group.ids.push(row.id);
            settled.set(key, group);
          } catch (error) {
            if (refusedByTemporal(error)) refused.push({ id: row.id, error: (error as Error).message });
            else {
              unavailable ??= (error as Error).message;
              failed.push(row.id);
            }
          }
        });
        for (const { ids: rows, delivery } of settled.values()) await closeMessages(tx, outbox, rows, delivery);
        if (unavailable) await countOutage(tx, outbox, failed, unavailable);
        for (const { id, error } of refused) {
          await countRefusal(tx, outbox, id, error);
          deps.logger.warn({ outbox: outbox.table, messageId: String(id), err: error }, 'Temporal refused a recorded message');
        }
        const closedNow = [...settled.values()].reduce((n, g) => n + g.ids.length, 0);
        const ended = settled.get('WORKFLOW_ENDED')?.ids.length ?? 0;
        if (ended) deps.logger.info({ outbox: outbox.table, ended }, 'messages not delivered: their groups had ended');
        return { claimed: pending.length, closed: closedNow, unavailable };
      },
      // Each message waits at most the Temporal call deadline, and the batch stops at the first outage.
      { timeout: 5 * 60_000, maxWait: 10_000 },
    );
    closed += batch.closed;
    if (batch.unavailable) {
      deps.logger.warn({ outbox: outbox.table, err: batch.unavailable, delivered: closed }, 'relay stopped: the recipient did not take a message');
      return closed;
    }
    if (batch.claimed < batchSize) return closed;
  }
}

/** Every API instance relays each outbox: every second, and at once when a request recorded messages. */
export function runMessageRelay(deps: RelayDependencies, outboxes: MessageOutbox<{ id: string | bigint }>[], options: DeliveryOptions & { intervalMs?: number }): PeriodicJob {
  return runPeriodically(
    async () => {
      for (const outbox of outboxes) await deliverMessages(deps, outbox, options);
    },
    options.intervalMs ?? 1_000,
    (error) => deps.logger.warn({ err: error.message }, 'message relay run failed'),
  );
}
