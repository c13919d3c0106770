import { randomUUID } from 'node:crypto';
import { ApplicationFailure, CompleteAsyncError, Context } from '@temporalio/activity';
import { Prisma } from '../runtime/database';
import type { StepAttempt } from '../workflows/contract';
import type { ActivityDependencies } from '.';
import { stepDueAt } from './step-deadline';
import type { StepRef } from './steps';
import { beginUndo, undoAnswer, type StoredUndoOutcome } from './undo-outcomes';

/**
 * A MANUAL step: instead of calling the agency's system, the activity puts a task in the agency's
 * inbox (agency_task) with Temporal's task token and returns without a result (asynchronous
 * completion). An officer's decision through the task API completes the activity with that token,
 * which resumes the workflow at once. The task lives in the database, so it survives worker restarts.
 *
 * The step stays RUNNING while the task is open (no separate step status): the task row says who
 * holds it and since when, and the dossier status shows it.
 */
export function createManualStepActivities({ db, calendar, logger }: ActivityDependencies) {
  return {
    async performManualStep({ dossierId, step }: StepRef): Promise<StepAttempt> {
      const { attempt } = Context.current().info;
      const taskToken = new Uint8Array(Context.current().info.taskToken);
      const dossier = await db.dossier.findUniqueOrThrow({ where: { id: dossierId }, include: { steps: { where: { step } } } });
      const current = dossier.steps[0];
      if (!current) throw ApplicationFailure.nonRetryable(`dossier has no step ${step}`, 'UnknownStep');
      // A decision whose delivery to Temporal was lost: report it again.
      if (current.status === 'COMPLETED') return { status: 'COMPLETED' };
      if (current.status === 'REFUSED') return { status: 'REFUSED', refusalCode: current.refusalCode ?? 'REFUSED' };

      const where = { dossierId_step_round_kind: { dossierId, step, round: current.round, kind: 'ACT' as const } };
      const existing = await db.agencyTask.findUnique({ where });
      if (existing?.status === 'DONE' && existing.outcome) {
        await db.agencyTask.update({ where: { id: existing.id }, data: { deliveredAt: new Date() } });
        return existing.outcome as unknown as StepAttempt;
      }
      // The officer has what is left of the step's deadline (a new round after a supplement: a new one).
      const startedAt = current.startedAt ?? new Date();
      const dueAt = existing ? existing.dueAt : current.round === 0 && current.dueAt ? current.dueAt : stepDueAt(calendar, dossier, step, new Date());
      // A retried attempt (or the first one) keeps the same task and only refreshes the token.
      await db.$transaction([
        db.agencyTask.upsert({
          where,
          create: newTask(dossier, current, 'ACT', taskToken, dueAt),
          update: { taskToken, ...(existing?.status === 'CANCELLED' ? { status: 'OPEN', claimedBy: null, claimedAt: null } : {}) },
        }),
        db.dossierStep.update({
          where: { id: current.id },
          data: { status: 'RUNNING', mode: 'MANUAL', attempts: { increment: 1 }, startedAt, dueAt },
        }),
        // As performStep: only the group's first step moves the dossier on, never reopening it.
        db.dossier.updateMany({ where: { id: dossierId, status: 'RECEIVED' }, data: { status: 'IN_PROGRESS' } }),
        ...(existing ? [] : [db.dossierEvent.create({ data: { dossierId, type: 'TASK_OPENED', step, detail: { agency: current.agency, round: current.round } } })]),
      ]);
      logger.info({ dossierNumber: dossier.dossierNumber, step, attempt }, 'manual task waiting in the agency inbox');
      throw new CompleteAsyncError();
    },

    /**
     * Compensates a MANUAL step: what an officer did in the inbox is undone in the inbox, never through
     * the agency's system (which never saw the act). An act never decided is closed (nothing to undo);
     * an act done opens an UNDO task for the same agency and completes asynchronously, with compensateStep's
     * answer ({ undone: true }) once an officer undid it, or its failure when the agency refuses to.
     * The step stays COMPLETED until then: the dossier shows the compensation only when it is done.
     */
    async compensateManualStep({ dossierId, step }: StepRef & { reason: string }): Promise<{ undone: boolean }> {
      const taskToken = new Uint8Array(Context.current().info.taskToken);
      const { dossier, current, answer } = await beginUndo(db, dossierId, step);
      if (answer) return answer;
      // Refused, waiting for a supplement, never started: no act was done.
      if (current.status !== 'COMPLETED') return { undone: false };

      const where = { dossierId_step_round_kind: { dossierId, step, round: current.round, kind: 'UNDO' as const } };
      const existing = await db.agencyTask.findUnique({ where });
      const decided = existing?.status === 'DONE' ? (existing.outcome as StoredUndoOutcome | null) : null;
      // A decision whose delivery to Temporal was lost: report it again.
      if (existing && decided && existing.deliveredAt === null) {
        await db.agencyTask.update({ where: { id: existing.id }, data: { deliveredAt: new Date() } });
        const answer = undoAnswer(existing, decided);
        if (answer instanceof Error) throw answer;
        return answer;
      }
      // A new undo task, or (after a refusal, on a supervisor's RETRY) the same task asked again.
      const dueAt = stepDueAt(calendar, dossier, step, new Date());
      const reopen = !existing || existing.status === 'DONE' || existing.status === 'CANCELLED';
      await db.$transaction([
        db.agencyTask.upsert({
          where,
          create: newTask(dossier, current, 'UNDO', taskToken, dueAt),
          update: reopen
            ? { taskToken, dueAt, status: 'OPEN', claimedBy: null, claimedAt: null, completedAt: null, completedBy: null, outcome: Prisma.DbNull, deliveredAt: null }
            : { taskToken },
        }),
        ...(reopen ? [db.dossierEvent.create({ data: { dossierId, type: 'COMPENSATION_REQUESTED', step, detail: { agency: current.agency, round: current.round } } })] : []),
      ]);
      logger.info({ dossierNumber: dossier.dossierNumber, step }, 'undo task waiting in the agency inbox');
      throw new CompleteAsyncError();
    },
  };
}

/** A task in the step's agency inbox, in the dossier's jurisdiction, waiting on this activity attempt. */
function newTask(
  dossier: { id: string; provinceCode: string; communeCode: string },
  step: { step: string; round: number; agency: string },
  kind: 'ACT' | 'UNDO',
  taskToken: Uint8Array<ArrayBuffer>,
  dueAt: Date,
): Prisma.AgencyTaskUncheckedCreateInput {
  return {
    id: randomUUID(),
    dossierId: dossier.id,
    step: step.step,
    round: step.round,
    kind,
    agency: step.agency,
    provinceCode: dossier.provinceCode,
    communeCode: dossier.communeCode,
    taskToken,
    dueAt,
  };
}
