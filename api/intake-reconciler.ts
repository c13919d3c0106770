import type { Dossier } from '../runtime/database';
import { startDossierWorkflow, type IntakeDependencies } from './dossier-intake';
import { runPeriodically, type PeriodicJob } from '../runtime/periodic';

export interface ReconcileOptions {
  /** Leaves alone dossiers younger than this, whose intake request may still be starting them. */
  olderThanMs?: number;
  batchSize?: number;
}

/**
 * The intake outbox's relay: starts the workflow of every accepted dossier that Temporal has not
 * accepted yet (`workflow_started_at` null), oldest first, and marks it. Rows are claimed with
 * `FOR UPDATE SKIP LOCKED`, so several API instances share the work without both starting one
 * dossier; the start itself is idempotent anyway (fixed workflow ID, *use existing*). Stops at the
 * first dossier Temporal does not accept: it is unavailable, the next run tries again.
 * Returns how many workflows it started.
 */
export async function reconcileIntake(deps: IntakeDependencies, options: ReconcileOptions = {}): Promise<number> {
  const olderThan = new Date(Date.now() - (options.olderThanMs ?? 0));
  const batchSize = options.batchSize ?? 20;
  return deps.db.$transaction(
    async (tx) => {
      const pending = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM dossier
        WHERE workflow_started_at IS NULL AND created_at <= ${olderThan}
        ORDER BY created_at
        LIMIT ${batchSize}
        FOR UPDATE SKIP LOCKED`;
      let started = 0;
      for (const { id } of pending) {
        const dossier: Dossier = await tx.dossier.findUniqueOrThrow({ where: { id } });
        // The mark is written through the transaction holding the row lock.
        if (!(await startDossierWorkflow({ ...deps, db: tx as IntakeDependencies['db'] }, dossier))) break;
        started += 1;
      }
      if (started > 0) deps.logger.info({ started }, 'intake reconciler started pending workflows');
      return started;
    },
    // Each start waits at most the Temporal call deadline; the batch is bounded.
    { timeout: 5 * 60_000, maxWait: 10_000 },
  );
}

/** Runs the reconciler every `intervalMs` until stopped; a tick that finds a run in progress is skipped. */
export function runIntakeReconciler(deps: IntakeDependencies, intervalMs: number, options: ReconcileOptions = {}): PeriodicJob {
  return runPeriodically(() => reconcileIntake(deps, options), intervalMs, (error) =>
    deps.logger.warn({ err: error.message }, 'intake reconciler run failed'),
  );
}
