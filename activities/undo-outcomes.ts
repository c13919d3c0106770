import { ApplicationFailure } from '@temporalio/common';
import { openTaskStatuses } from '../domain/statuses';
import type { UndoOutcome } from '../domain/task-outcomes';
import type { Database } from '../runtime/database';
import { nonRetryableAgencyError } from '../workflows/contract';
import { changeOnce } from './change-once';
import type { StepRow } from './step-outcomes';

export type { UndoOutcome };

/** What the task row keeps of the decision (its `outcome`): codes only. */
export type StoredUndoOutcome = { status: 'COMPLETED'; reference: string } | { status: 'REFUSED'; refusalCode: string };

/** What the compensation needs of an undo decision, as a task row keeps it (older rows with their reference). */
export type UndoAttempt = { status: 'COMPLETED' } | { status: 'REFUSED'; refusalCode: string };

/**
 * An agency refusing to undo needs a person, not a retry: the same failure compensateStep raises,
 * so the workflow opens a COMPENSATION incident. Codes only (the officer's reason is in the audit log).
 */
export function undoRefusal(agency: string, step: string, refusalCode: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${agency} refused to undo ${step} (${refusalCode})`, nonRetryableAgencyError);
}

/** The compensation activity's answer for a decided undo task: compensateStep's value, or its failure. */
export function undoAnswer(task: { agency: string; step: string }, stored: UndoAttempt): { undone: true } | ApplicationFailure {
  return stored.status === 'COMPLETED' ? { undone: true } : undoRefusal(task.agency, task.step, stored.refusalCode);
}

type Writer = Pick<Database, 'dossierStep' | 'dossierEvent'>;

/**
 * How every undo begins, by the agency's system or by hand: an act still undecided in an inbox is
 * closed first (nobody may decide it now), then the step is read. A step already undone, or a manual
 * step whose officer never decided it (nothing was done: it ends cancelled), is answered at once.
 */
export async function beginUndo(db: Database, dossierId: string, step: string) {
  await db.agencyTask.updateMany({ where: { dossierId, step, kind: 'ACT', status: { in: [...openTaskStatuses] } }, data: { status: 'CANCELLED' } });
  const dossier = await db.dossier.findUniqueOrThrow({ where: { id: dossierId }, include: { steps: { where: { step } } } });
  const current = dossier.steps[0];
  if (!current) throw ApplicationFailure.nonRetryable(`dossier has no step ${step}`, 'UnknownStep');
  if (current.status === 'COMPENSATED') return { dossier, current, answer: { undone: true } };
  if (current.mode === 'MANUAL' && current.status === 'RUNNING') {
    await cancelUndecidedStep(db, current);
    return { dossier, current, answer: { undone: false } };
  }
  return { dossier, current };
}

/**
 * A manual step whose task the officer never decided: nothing was done, the step ends cancelled. Only
 * a step still running is cancelled, so two undo attempts at once record it once.
 */
function cancelUndecidedStep(db: Database, { id, dossierId, step }: StepRow) {
  return changeOnce(
    db,
    (tx) => tx.dossierStep.updateMany({ where: { id, status: 'RUNNING' }, data: { status: 'CANCELLED', finishedAt: new Date() } }),
    (tx) => tx.dossierEvent.create({ data: { dossierId, type: 'STEP_NOTHING_TO_UNDO', step, detail: { task: 'CANCELLED' } } }),
  );
}

/**
 * The writes recording an undo decision (run them in one transaction): done, the step is COMPENSATED
 * as compensateStep records it; refused, the step stays COMPLETED (its act stands) and an event says so.
 */
export function undoOutcomeWrites(db: Writer, row: StepRow, outcome: UndoOutcome, detail: object = {}) {
  const { id, dossierId, step } = row;
  if (outcome.status === 'REFUSED') {
    return [db.dossierEvent.create({ data: { dossierId, type: 'COMPENSATION_REFUSED', step, detail: { ...detail, code: outcome.refusalCode } } })];
  }
  const { reference } = outcome.result;
  return [
    db.dossierStep.update({ where: { id }, data: { status: 'COMPENSATED', compensation: { undone: true, reference }, compensatedAt: new Date() } }),
    db.dossierEvent.create({ data: { dossierId, type: 'STEP_COMPENSATED', step, detail: { ...detail, reference } } }),
  ];
}
