import type { StepCode } from '../domain/procedures';
import { awaitingAnswerStepStatuses } from '../domain/statuses';
import { Prisma, type Database } from '../runtime/database';
import type { StepAttempt } from '../workflows/contract';
import type { StepOutcome } from '../domain/task-outcomes';
import { announcedStep } from './citizen-notifications';

export type { StepOutcome };

export interface StepRow {
  id: string;
  dossierId: string;
  step: StepCode | string;
  /** The round the answer belongs to: an answer of an earlier round never lands on a later one. */
  round: number;
}

type Writer = Pick<Database, 'dossierStep' | '$executeRaw'>;

/**
 * The write recording an answer on the step, with its event and, for a completion or a refusal, its
 * announcement to the citizen: one statement (atomic, one round trip; the step's trigger then brings
 * its dossier up to date). A supplement request is announced when the workflow opens it
 * (bookkeeping's openSupplementRequest), which knows the due date. `detail` goes to the event.
 *
 * Only a step still waiting for an answer of this round takes it: an attempt that woke after a later
 * one answered (or after the step was undone) changes nothing.
 */
export function stepOutcomeWrite(db: Writer, row: StepRow, outcome: StepOutcome, detail: object = {}) {
  const { id, step, round } = row;
  const waiting = Prisma.sql`id = ${id}::uuid AND round = ${round} AND status::text IN (${Prisma.join([...awaitingAnswerStepStatuses])})`;
  const now = new Date();
  switch (outcome.status) {
    case 'COMPLETED':
      return db.$executeRaw`
        WITH done AS (
          UPDATE dossier_step SET status = 'COMPLETED', result = ${JSON.stringify(outcome.result)}::jsonb, last_error = NULL, finished_at = ${now}, updated_at = ${now}
          WHERE ${waiting} RETURNING dossier_id, round),
        event AS (INSERT INTO dossier_event (dossier_id, type, step, detail) SELECT dossier_id, 'STEP_COMPLETED', ${step}, ${JSON.stringify(detail)}::jsonb FROM done)
        ${announcedStep('STEP_COMPLETED', step, null)}`;
    case 'REFUSED':
      return db.$executeRaw`
        WITH done AS (
          UPDATE dossier_step SET status = 'REFUSED', refusal_code = ${outcome.refusalCode}, refusal_reason = ${outcome.reason}, last_error = NULL,
            finished_at = ${now}, updated_at = ${now}
          WHERE ${waiting} RETURNING dossier_id, round),
        event AS (INSERT INTO dossier_event (dossier_id, type, step, detail)
          SELECT dossier_id, 'STEP_REFUSED', ${step}, ${JSON.stringify({ ...detail, code: outcome.refusalCode })}::jsonb FROM done)
        ${announcedStep('STEP_REFUSED', step, outcome.refusalCode)}`;
    case 'SUPPLEMENT_REQUESTED':
      return db.dossierStep.updateMany({
        where: { id, round, status: { in: [...awaitingAnswerStepStatuses] } },
        data: { status: 'WAITING_FOR_SUPPLEMENT', supplementReason: outcome.reason, lastError: null },
      });
  }
}

/** What the workflow is told (results stay in the database). */
export function attemptOf(outcome: StepOutcome): StepAttempt {
  switch (outcome.status) {
    case 'COMPLETED':
      return { status: 'COMPLETED' };
    case 'REFUSED':
      return { status: 'REFUSED', refusalCode: outcome.refusalCode };
    case 'SUPPLEMENT_REQUESTED':
      return { status: 'SUPPLEMENT_REQUESTED', reason: outcome.reason };
  }
}
