import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import type { Database, Prisma } from '../runtime/database';
import type { Logger } from '../runtime/logger';
import { forEachBounded } from '../runtime/bounded';
import { runPeriodically, type PeriodicJob } from '../runtime/periodic';
import { temporalRefusal, withinTemporalDeadline } from './temporal-calls';

/** A signal to a dossier's workflow, to be recorded now and delivered after the answer. */
export interface RecordedSignal<Arg> {
  workflowId: string;
  signal: SignalDefinition<[Arg]>;
  arg: Arg;
  /** The request's idempotency key with the item it names: recorded once however often the request comes. */
  messageKey?: string | undefined;
}

/** Records signals in the caller's transaction, beside the decision they carry out. */
export async function recordSignals<Arg>(tx: Pick<Database | Prisma.TransactionClient, 'workflowSignalOutbox'>, signals: RecordedSignal<Arg>[]): Promise<number> {
  const { count } = await tx.workflowSignalOutbox.createMany({
    skipDuplicates: true,
    data: signals.map(({ workflowId, signal, arg, messageKey }) => ({
      workflowId,
      signal: signal.name,
      payload: arg as Prisma.InputJsonValue,
      messageKey: messageKey ?? null,
    })),
  });
  return count;
}

/** How often a signal Temporal refuses is tried before it is given up as REFUSED. */
const refusalsBeforeGivingUp = 10;

export interface SignalRelayDependencies {
  db: Database;
  temporal: Client;
  logger: Logger;
}

export interface DeliveryOptions {
  /** Signals sent at once: enough to hide each round trip, few enough to spare a busy Temporal. */
  concurrency: number;
  /** Rows claimed per transaction. */
  batchSize?: number;
}

/**
 * Delivers recorded signals, oldest first, and marks them. Rows are claimed with `FOR UPDATE SKIP
 * LOCKED` in a transaction held until they are marked, so API instances share the work and a crash
 * before the mark leaves them to be sent again (the workflow drops a repeat). A group that ended
 * meanwhile needs nothing: its row is closed as WORKFLOW_ENDED. A signal Temporal refuses is tried
 * again later and finally closed as REFUSED, without holding up the others. Stops at the first signal
 * Temporal does not take for being unavailable; the next run tries again. Returns how many rows it closed.
 */
export async function deliverRecordedSignals(deps: SignalRelayDependencies, options: DeliveryOptions): Promise<number> {
  const batchSize = options.batchSize ?? 200;
  let closed = 0;
  for (;;) {
    const batch = await deps.db.$transaction(
      async (tx) => {
        const pending = await tx.$queryRaw<{ id: bigint; workflow_id: string; signal: string; payload: unknown }[]>`
          SELECT id, workflow_id, signal, payload FROM workflow_signal_outbox
          WHERE delivered_at IS NULL AND next_attempt_at <= now()
          ORDER BY id
          LIMIT ${batchSize}
          FOR UPDATE SKIP LOCKED`;
        const outcome = new Map<bigint, 'DELIVERED' | 'WORKFLOW_ENDED'>();
        const failed: bigint[] = [];
        const refused: { id: bigint; error: string }[] = [];
        let unavailable: string | undefined;
        await forEachBounded(pending, options.concurrency, async (row) => {
          if (unavailable) return;
          try {
            await withinTemporalDeadline(deps.temporal, () => deps.temporal.workflow.getHandle(row.workflow_id).signal(row.signal, row.payload));
            outcome.set(row.id, 'DELIVERED');
          } catch (error) {
            if (error instanceof WorkflowNotFoundError) outcome.set(row.id, 'WORKFLOW_ENDED');
            else if (temporalRefusal(error)) refused.push({ id: row.id, error: (error as Error).message });
            else {
              unavailable ??= (error as Error).message;
              failed.push(row.id);
            }
          }
        });
        for (const kind of ['DELIVERED', 'WORKFLOW_ENDED'] as const) {
          const ids = [...outcome].filter(([, o]) => o === kind).map(([id]) => id);
          if (ids.length) {
            await tx.$executeRaw`UPDATE workflow_signal_outbox SET delivered_at = now(), outcome = ${kind}, attempts = attempts + 1 WHERE id = ANY(${ids})`;
          }
        }
        if (failed.length) {
          await tx.$executeRaw`UPDATE workflow_signal_outbox SET attempts = attempts + 1, last_error = ${unavailable} WHERE id = ANY(${failed})`;
        }
        // Refused (not unavailable): tried again later, doubling the wait, then given up; the rest goes on.
        for (const { id, error } of refused) {
          await tx.$executeRaw`
            UPDATE workflow_signal_outbox
            SET attempts = attempts + 1, last_error = ${error},
                next_attempt_at = now() + least(power(2, attempts), 600) * interval '1 second',
                delivered_at = CASE WHEN attempts + 1 >= ${refusalsBeforeGivingUp} THEN now() END,
                outcome = CASE WHEN attempts + 1 >= ${refusalsBeforeGivingUp} THEN 'REFUSED' END
            WHERE id = ${id}`;
          deps.logger.warn({ signalId: String(id), err: error }, 'Temporal refused a recorded signal');
        }
        const ended = [...outcome.values()].filter((o) => o === 'WORKFLOW_ENDED').length;
        if (ended) deps.logger.info({ ended }, 'signals not delivered: their groups had ended');
        return { claimed: pending.length, closed: outcome.size, unavailable };
      },
      // Each signal waits at most the Temporal call deadline, and the batch stops at the first failure.
      { timeout: 5 * 60_000, maxWait: 10_000 },
    );
    closed += batch.closed;
    if (batch.unavailable) {
      deps.logger.warn({ err: batch.unavailable, delivered: closed }, 'signal relay stopped: Temporal did not take a signal');
      return closed;
    }
    if (batch.claimed < batchSize) return closed;
  }
}

/** Every API instance relays the outbox: every second, and at once when a request recorded signals. */
export function runSignalRelay(deps: SignalRelayDependencies, options: DeliveryOptions & { intervalMs?: number }): PeriodicJob {
  return runPeriodically(() => deliverRecordedSignals(deps, options), options.intervalMs ?? 1_000, (error) =>
    deps.logger.warn({ err: error.message }, 'signal relay run failed'),
  );
}
