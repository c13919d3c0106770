import { Prisma } from '../runtime/database';
import { givenUpAt, nextAttemptAt } from '../runtime/outbox-retry';
import { startDossierWorkflow, type IntakeDependencies } from './dossier-intake';
import { finishInterruptedConfirmations, startNoticeWorkflow } from './notices';
import { runPeriodically, type PeriodicJob } from '../runtime/periodic';
import { startRefusal } from './temporal-calls';

export interface ReconcileOptions {
  /** Leaves alone dossiers younger than this, whose intake request may still be starting them. */
  olderThanMs?: number;
  batchSize?: number;
}

type Transaction = IntakeDependencies['db'];

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 2000);

/** Refusals of one start before the reconciler gives it up (then it is in /metrics, never tried again). */
export const startRefusalsBeforeGivingUp = 10;
/** A refused start waits 10 s, doubling to an hour: a few hours in all before it is given up. */
const refusedStartBackoff = { initialSeconds: 10, maxSeconds: 3600 };

/** An outbox table of workflow starts: its rows and what the logs call them. */
interface StartOutbox {
  table: 'dossier' | 'life_event_notice';
  receivedColumn: 'created_at' | 'received_at';
  /** Logged with the row's id (a code, never the row's data). */
  idLabel: 'dossierId' | 'noticeId';
  also?: Prisma.Sql;
}

const dossiers: StartOutbox = { table: 'dossier', receivedColumn: 'created_at', idLabel: 'dossierId' };
// A draft confirmed before its timers ever started needs none.
const noticeDrafts: StartOutbox = { table: 'life_event_notice', receivedColumn: 'received_at', idLabel: 'noticeId', also: Prisma.sql`status = 'DRAFT'` };

/**
 * Claims the rows whose workflow Temporal has not accepted yet and that are due (one never refused is
 * due at once, whatever the clocks), the earliest due first: a row Temporal refused waits its turn
 * behind the others instead of being tried first on every run.
 */
function claimDue(tx: Transaction, outbox: StartOutbox, options: ReconcileOptions): Promise<{ id: string }[]> {
  const olderThan = new Date(Date.now() - (options.olderThanMs ?? 0));
  const [from, received] = [Prisma.raw(`"${outbox.table}"`), Prisma.raw(`"${outbox.receivedColumn}"`)];
  return tx.$queryRaw`
    SELECT id FROM ${from}
    WHERE workflow_started_at IS NULL AND start_given_up_at IS NULL AND (start_next_attempt_at <= now() OR start_attempts = 0)
      AND ${received} <= ${olderThan} AND ${outbox.also ?? Prisma.sql`TRUE`}
    ORDER BY start_next_attempt_at, ${received}
    LIMIT ${options.batchSize ?? 20}
    FOR UPDATE SKIP LOCKED`;
}

/** A refused start: counted, tried again after a doubling wait, given up after the last refusal. */
async function recordRefusal(tx: Transaction, deps: IntakeDependencies, outbox: StartOutbox, id: string, refusal: string, error: unknown): Promise<void> {
  const from = Prisma.raw(`"${outbox.table}"`);
  const [row] = await tx.$queryRaw<{ start_attempts: number; start_given_up_at: Date | null }[]>`
    UPDATE ${from}
    SET start_attempts = start_attempts + 1, start_last_error = ${`${refusal}: ${messageOf(error)}`},
        start_next_attempt_at = ${nextAttemptAt(Prisma.sql`start_attempts`, refusedStartBackoff)},
        start_given_up_at = ${givenUpAt(Prisma.sql`start_attempts + 1`, startRefusalsBeforeGivingUp)}
    WHERE id = ${id}::uuid
    RETURNING start_attempts, start_given_up_at`;
  // Codes only: the error's text may quote the row's data.
  const fields = { [outbox.idLabel]: id, refusal, attempts: row?.start_attempts };
  if (row?.start_given_up_at) deps.logger.error(fields, 'workflow start given up: Temporal kept refusing it');
  else deps.logger.warn(fields, 'Temporal refused a workflow start; tried again later');
}

/**
 * Starts, in the transaction that claimed them, the workflows of rows Temporal has not accepted yet. A
 * start Temporal refuses (or that the row's data cannot make) is counted and put back behind the others;
 * the first one Temporal does not answer stops the batch (it is unavailable: the next run tries again,
 * and nothing is counted against the row). Rows are claimed with `FOR UPDATE SKIP LOCKED`, so API
 * instances never share one; the start itself is idempotent anyway (fixed workflow ID, *use existing*),
 * and its mark is written through the transaction holding the row lock.
 */
async function startPending(deps: IntakeDependencies, outbox: StartOutbox, options: ReconcileOptions, start: (tx: Transaction, id: string) => Promise<Error | undefined>): Promise<number> {
  return deps.db.$transaction(
    async (tx) => {
      let started = 0;
      for (const { id } of await claimDue(tx as Transaction, outbox, options)) {
        // Thrown (the row cannot make a start) or returned (Temporal did not take it): told apart below.
        const failure = await start(tx as Transaction, id).catch((error: unknown) => error);
        if (failure === undefined) {
          started += 1;
          continue;
        }
        const refusal = startRefusal(failure);
        if (refusal) {
          await recordRefusal(tx as Transaction, deps, outbox, id, refusal, failure);
          continue;
        }
        await tx.$executeRaw`UPDATE ${Prisma.raw(`"${outbox.table}"`)} SET start_last_error = ${messageOf(failure)} WHERE id = ${id}::uuid`;
        deps.logger.warn({ err: messageOf(failure), started }, 'intake reconciler stopped: Temporal unavailable');
        break;
      }
      return started;
    },
    // Each start waits at most the Temporal call deadline; the batch is bounded.
    { timeout: 5 * 60_000, maxWait: 10_000 },
  );
}

/**
 * The intake outbox's relay: starts the workflow of every accepted dossier that Temporal has not
 * accepted yet (`workflow_started_at` null) and marks it. Returns how many workflows it started.
 */
export async function reconcileIntake(deps: IntakeDependencies, options: ReconcileOptions = {}): Promise<number> {
  const started = await startPending(deps, dossiers, options, async (tx, id) =>
    startDossierWorkflow({ ...deps, db: tx }, await tx.dossier.findUniqueOrThrow({ where: { id } })),
  );
  if (started > 0) deps.logger.info({ started }, 'intake reconciler started pending workflows');
  return started;
}

/** The same for drafts opened by notices whose time-limit timers Temporal did not accept at reception. */
export async function reconcileNoticeTimers(deps: IntakeDependencies, options: ReconcileOptions = {}): Promise<number> {
  return startPending(deps, noticeDrafts, options, async (tx, id) =>
    startNoticeWorkflow({ ...deps, db: tx }, await tx.lifeEventNotice.findUniqueOrThrow({ where: { id } })),
  );
}

/** Runs the reconciler every `intervalMs` until stopped; a tick that finds a run in progress is skipped. */
export function runIntakeReconciler(deps: IntakeDependencies, intervalMs: number, options: ReconcileOptions = {}): PeriodicJob {
  // Drafts opened by notices wait for their timers the same way.
  const reconcile = async () => {
    await reconcileIntake(deps, options);
    await reconcileNoticeTimers(deps, options);
    await finishInterruptedConfirmations(deps.db, new Date(Date.now() - (options.olderThanMs ?? 0)));
  };
  return runPeriodically(reconcile, intervalMs, (error) =>
    deps.logger.warn({ err: error.message }, 'intake reconciler run failed'),
  );
}
