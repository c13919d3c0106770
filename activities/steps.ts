import { ApplicationFailure, Context } from '@temporalio/activity';
import type { z } from 'zod';
import { actPath, stepResultSchemas, undoPath, type StepResults } from '../domain/agency-contract';
import { intakeSchema } from '../domain/intake';
import type { AgencyRole, ProcedureGroup, StepCode } from '../domain/procedures';
import { awaitingAnswerStepStatuses } from '../domain/statuses';
import { nonRetryableAgencyError, type StepAttempt } from '../workflows/contract';
import { AgencyContractError, AgencyRefusal, AgencySupplementRequest } from './agency-gateway';
import { changeOnce } from './change-once';
import type { ActivityDependencies } from '.';
import { stepOutcomeWrite } from './step-outcomes';
import { beginUndo } from './undo-outcomes';
import { stepDueAt } from './step-deadline';
import { stepRequests } from '../domain/step-requests';
import { whileAlive } from './heartbeat';

export interface StepRef {
  dossierId: string;
  step: StepCode;
}

/** A dossier's step as performStep reads it, with what it needs of its dossier (one row per step). */
interface LoadedStep {
  id: string;
  dossierId: string;
  step: string;
  agency: string;
  status: string;
  round: number;
  supplementDocuments: string[];
  refusalCode: string | null;
  supplementReason: string | null;
  startedAt: Date | null;
  dueAt: Date | null;
  result: unknown;
  dossierNumber: string;
  dossierStatus: string;
  procedureGroup: ProcedureGroup;
  definitionVersion: number;
  /** On the row of the step asked for only: the intake is large and the other steps do not need it. */
  intake: unknown;
}

/** One key per act: a retry repeats it, a supplement (new documents) makes a new request. */
export function idempotencyKey(dossierNumber: string, step: StepCode, round: number): string {
  return round === 0 ? `${dossierNumber}:${step}` : `${dossierNumber}:${step}:r${round}`;
}

/** The step activities: calling the agency to act, and to undo the act. */
export function createStepActivities({ db, agencies, calendar, logger, metrics }: ActivityDependencies) {
  return {
    /** Calls the step's agency once per attempt; Temporal retries transient failures. */
    performStep: (ref: StepRef): Promise<StepAttempt> => whileAlive(() => performStep(ref)),

    /**
     * Undoes the step's act, naming it by its idempotency key: safe to repeat, and safe when the act
     * never happened (the agency answers that there was nothing to undo).
     */
    compensateStep: (ref: StepRef & { reason: string }): Promise<{ undone: boolean }> => whileAlive(() => compensateStep(ref)),
  };

  /** The dossier's steps with their dossier, in one round trip. */
  function loadSteps(dossierId: string, step: StepCode) {
    return db.$queryRaw<LoadedStep[]>`
    SELECT s.id, s.dossier_id AS "dossierId", s.step, s.agency, s.status::text AS status, s.round, s.supplement_documents AS "supplementDocuments",
      s.refusal_code AS "refusalCode", s.supplement_reason AS "supplementReason", s.started_at AS "startedAt", s.due_at AS "dueAt", s.result,
      d.dossier_number AS "dossierNumber", d.status::text AS "dossierStatus", d.procedure_group::text AS "procedureGroup",
      d.definition_version AS "definitionVersion", CASE WHEN s.step = ${step} THEN d.intake END AS intake
    FROM dossier d JOIN dossier_step s ON s.dossier_id = d.id
    WHERE d.id = ${dossierId}::uuid`;
  }

  async function performStep({ dossierId, step }: StepRef): Promise<StepAttempt> {
    const { attempt } = Context.current().info;
    const steps = await loadSteps(dossierId, step);
    // No row: the dossier is not (yet) visible to this worker's database; worth a retry, as before.
    if (steps.length === 0) throw new Error(`dossier ${dossierId} not found`);
    const current = steps.find((s) => s.step === step);
    if (!current) throw ApplicationFailure.nonRetryable(`dossier has no step ${step}`, 'UnknownStep');
    // A finished attempt whose answer was lost on the way back to the workflow: report it again.
    if (current.status === 'COMPLETED') return { status: 'COMPLETED' };
    if (current.status === 'REFUSED') return { status: 'REFUSED', refusalCode: current.refusalCode ?? 'REFUSED' };
    if (current.status === 'WAITING_FOR_SUPPLEMENT') return { status: 'SUPPLEMENT_REQUESTED', reason: current.supplementReason ?? '' };

    const log = logger.child({ dossierNumber: current.dossierNumber, step, attempt });
    const startedAt = current.startedAt ?? new Date();
    const { count } = await db.dossierStep.updateMany({
      where: { id: current.id, round: current.round, status: { in: [...awaitingAnswerStepStatuses] } },
      data: { status: 'RUNNING', attempts: { increment: 1 }, startedAt, dueAt: current.dueAt ?? stepDueAt(calendar, current, step, startedAt) },
    });
    // An attempt that woke after the step moved on (undone, cancelled, waiting for the citizen): the
    // workflow no longer waits for it, and it must not act again or write over what followed.
    if (count === 0) throw ApplicationFailure.nonRetryable(`step ${step} is ${current.status}: this attempt was superseded`, 'SupersededAttempt');
    // Only the group's first step moves the dossier on; guarded so a late write never reopens it.
    if (current.dossierStatus === 'RECEIVED') {
      await db.dossier.updateMany({ where: { id: dossierId, status: 'RECEIVED' }, data: { status: 'IN_PROGRESS' } });
    }

    const results = Object.fromEntries(steps.filter((s) => s.result !== null).map((s) => [s.step, s.result])) as Partial<StepResults>;
    const key = idempotencyKey(current.dossierNumber, step, current.round);
    const agency = current.agency as AgencyRole;
    const started = process.hrtime.bigint();
    const observe = (outcome: 'completed' | 'refused' | 'error') =>
      metrics.observeStepDuration({ step, agency, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    try {
      const body = stepRequests[step]({ intake: intakeSchema.parse(current.intake), results, supplements: current.supplementDocuments });
      const schema: z.ZodType<unknown> = stepResultSchemas[step];
      const result = (await agencies.perform(actPath(agency, step), body, schema, key)) as object;
      observe('completed');
      await stepOutcomeWrite(db, current, { status: 'COMPLETED', result }, { attempt });
      log.info('step completed');
      return { status: 'COMPLETED' };
    } catch (error) {
      observe(error instanceof AgencyRefusal || error instanceof AgencySupplementRequest ? 'refused' : 'error');
      if (error instanceof AgencyRefusal) {
        await stepOutcomeWrite(db, current, { status: 'REFUSED', refusalCode: error.code, reason: error.message });
        log.info({ refusalCode: error.code }, 'step refused by the agency');
        return { status: 'REFUSED', refusalCode: error.code };
      }
      if (error instanceof AgencySupplementRequest) {
        await stepOutcomeWrite(db, current, { status: 'SUPPLEMENT_REQUESTED', reason: error.message });
        log.info('agency asks for a supplement');
        return { status: 'SUPPLEMENT_REQUESTED', reason: error.message };
      }
      const message = (error as Error).message;
      await db.dossierStep.update({ where: { id: current.id }, data: { lastError: message } });
      log.warn({ err: message }, 'step attempt failed');
      if (error instanceof AgencyContractError) throw ApplicationFailure.nonRetryable(message, nonRetryableAgencyError);
      throw error;
    }
  }

  async function compensateStep({ dossierId, step, reason }: StepRef & { reason: string }): Promise<{ undone: boolean }> {
    const { dossier, current, answer } = await beginUndo(db, dossierId, step);
    if (answer) return answer;
    // Refused or never started: the agency performed nothing.
    if (['PENDING', 'BLOCKED', 'REFUSED', 'SKIPPED', 'CANCELLED'].includes(current.status)) return { undone: false };

    const key = idempotencyKey(dossier.dossierNumber, step, current.round);
    try {
      const answer = await agencies.undo(undoPath(current.agency as AgencyRole, step), { originalIdempotencyKey: key, reason }, `${key}:undo`);
      const target = answer.undone ? 'COMPENSATED' : 'CANCELLED';
      await changeOnce(
        db,
        (tx) =>
          tx.dossierStep.updateMany({
            where: { id: current.id, status: { not: target } },
            data: answer.undone ? { status: target, compensation: answer, compensatedAt: new Date() } : { status: target, finishedAt: current.finishedAt ?? new Date() },
          }),
        (tx) =>
          tx.dossierEvent.create({
            data: { dossierId, type: answer.undone ? 'STEP_COMPENSATED' : 'STEP_NOTHING_TO_UNDO', step, detail: { reference: answer.reference ?? null } },
          }),
      );
      logger.info({ dossierNumber: dossier.dossierNumber, step, undone: answer.undone }, 'step compensated');
      return { undone: answer.undone };
    } catch (error) {
      const message = (error as Error).message;
      logger.warn({ dossierNumber: dossier.dossierNumber, step, err: message }, 'compensation attempt failed');
      // An agency that refuses to undo needs a person, not a retry.
      if (error instanceof AgencyRefusal || error instanceof AgencyContractError) {
        throw ApplicationFailure.nonRetryable(message, nonRetryableAgencyError);
      }
      throw error;
    }
  }
}
