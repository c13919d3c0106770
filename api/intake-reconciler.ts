import { Prisma } from '../runtime/database';
import { startDossierWorkflow, type IntakeDependencies } from './dossier-intake';
import { finishInterruptedConfirmations, startNoticeWorkflow } from './notices';
import { runPeriodically, type PeriodicJob } from '../runtime/periodic';

export interface ReconcileOptions {
  /** Leaves alone dossiers younger than this, whose intake request may still be starting them. */
  olderThanMs?: number;
  batchSize?: number;
}

type Transaction = IntakeDependencies['db'];

/** Claims the oldest rows of an outbox table whose workflow Temporal has not accepted yet. */
const unstarted =
  (table: 'dossier' | 'life_event_notice', receivedColumn: 'created_at' | 'received_at', options: ReconcileOptions, also = Prisma.sql`TRUE`) =>
  (tx: Transaction): Promise<{ id: string }[]> => {
    const olderThan = new Date(Date.now() - (options.olderThanMs ?? 0));
    const [from, received] = [Prisma.raw(`"${table}"`), Prisma.raw(`"${receivedColumn}"`)];
    return tx.$queryRaw`
      SELECT id FROM ${from}
      WHERE workflow_started_at IS NULL AND ${received} <= ${olderThan} AND ${also}
      ORDER BY ${received}
      LIMIT ${options.batchSize ?? 20}
      FOR UPDATE SKIP LOCKED`;
  };

/**
 * Starts, in the transaction that claimed them, the workflows of rows Temporal has not accepted yet,
 * oldest first; stops at the first it does not accept (it is unavailable: the next run tries again).
 * Rows are claimed with `FOR UPDATE SKIP LOCKED` by `claim`, so API instances never share one; the
 * start itself is idempotent anyway (fixed workflow ID, *use existing*), and its mark is written
 * through the transaction holding the row lock.
 */
async function startPending(deps: IntakeDependencies, claim: (tx: Transaction) => Promise<{ id: string }[]>, start: (tx: Transaction, id: string) => Promise<boolean>): Promise<number> {
  return deps.db.$transaction(
    async (tx) => {
      let started = 0;
      for (const { id } of await claim(tx as Transaction)) {
        if (!(await start(tx as Transaction, id))) break;
        started += 1;
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
  const started = await startPending(
    deps,
    unstarted('dossier', 'created_at', options),
    async (tx, id) => startDossierWorkflow({ ...deps, db: tx }, await tx.dossier.findUniqueOrThrow({ where: { id } })),
  );
  if (started > 0) deps.logger.info({ started }, 'intake reconciler started pending workflows');
  return started;
}

/** The same for drafts opened by notices whose time-limit timers Temporal did not accept at reception. */
export async function reconcileNoticeTimers(deps: IntakeDependencies, options: ReconcileOptions = {}): Promise<number> {
  return startPending(
    deps,
    // A draft confirmed before its timers ever started needs none.
    unstarted('life_event_notice', 'received_at', options, Prisma.sql`status = 'DRAFT'`),
    async (tx, id) => startNoticeWorkflow({ ...deps, db: tx }, await tx.lifeEventNotice.findUniqueOrThrow({ where: { id } })),
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
