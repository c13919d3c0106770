import type { StepCode } from '../domain/procedures';
import type { Database } from '../runtime/database';
import type { StepAttempt } from '../workflows/contract';
import { recordNotification } from './citizen-notifications';

/**
 * One attempt's answer, whoever gave it: the agency's system (performStep) or an officer working a
 * manual task (the task API). Both record it on the step row the same way, through stepOutcomeWrites.
 */
export type StepOutcome =
  | { status: 'COMPLETED'; result: object }
  | { status: 'REFUSED'; refusalCode: string; reason: string }
  | { status: 'SUPPLEMENT_REQUESTED'; reason: string };

export interface StepRow {
  id: string;
  dossierId: string;
  step: StepCode | string;
}

type Writer = Pick<Database, 'dossierStep' | 'dossierEvent' | '$executeRaw'>;

/**
 * The writes recording an answer on the step (run them in one transaction); `detail` goes to the event.
 * A completion or a refusal is announced to the citizen in the same transaction; a supplement request is
 * announced when the workflow opens it (bookkeeping's openSupplementRequest), which knows the due date.
 */
export function stepOutcomeWrites(db: Writer, row: StepRow, outcome: StepOutcome, detail: object = {}) {
  const { id, dossierId, step } = row;
  switch (outcome.status) {
    case 'COMPLETED':
      return [
        db.dossierStep.update({ where: { id }, data: { status: 'COMPLETED', result: outcome.result, lastError: null, finishedAt: new Date() } }),
        db.dossierEvent.create({ data: { dossierId, type: 'STEP_COMPLETED', step, detail } }),
        recordNotification(db, { dossierId, event: 'STEP_COMPLETED', step }),
      ];
    case 'REFUSED':
      return [
        db.dossierStep.update({
          where: { id },
          data: { status: 'REFUSED', refusalCode: outcome.refusalCode, refusalReason: outcome.reason, lastError: null, finishedAt: new Date() },
        }),
        db.dossierEvent.create({ data: { dossierId, type: 'STEP_REFUSED', step, detail: { ...detail, code: outcome.refusalCode } } }),
        recordNotification(db, { dossierId, event: 'STEP_REFUSED', step, code: outcome.refusalCode }),
      ];
    case 'SUPPLEMENT_REQUESTED':
      return [db.dossierStep.update({ where: { id }, data: { status: 'WAITING_FOR_SUPPLEMENT', supplementReason: outcome.reason, lastError: null } })];
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
