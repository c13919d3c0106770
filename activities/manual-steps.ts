import { randomUUID } from 'node:crypto';
import { ApplicationFailure, CompleteAsyncError, Context } from '@temporalio/activity';
import { ActivityNotFoundError, type Client } from '@temporalio/client';
import { awaitingAnswerStepStatuses, openTaskStatuses } from '../domain/statuses';
import { Prisma } from '../runtime/database';
import { isUniqueViolation } from '../runtime/database-errors';
import type { OpenedTask, RecordedDecision, StepAttempt } from '../workflows/contract';
import { attemptOf, stepOutcomeWrite, type StepOutcome } from './step-outcomes';
import type { ActivityDependencies } from '.';
import { stepDueAt } from './step-deadline';
import type { StepRef } from './steps';
import { beginUndo, undoAnswer, undoOutcomeWrites, type StoredUndoOutcome, type UndoAttempt, type UndoOutcome } from './undo-outcomes';

/**
 * A MANUAL step: instead of calling the agency's system, the workflow opens a task in the agency's
 * inbox (agency_task) and waits for an officer's decision, which the API hands it as an update; these
 * activities record the task, who holds it and the decision, so the read model has one writer.
 *
 * The step stays RUNNING while the task is open (no separate step status): the task row says who
 * holds it and since when, and the dossier status shows it.
 *
 * performManualStep and compensateManualStep are the asynchronous-completion activities of workflows
 * started before: they stay registered so those workflows' tasks (and their retries) still work.
 */
export function createManualStepActivities({ db, calendar, logger, temporal }: ActivityDependencies) {
  return {
    /**
     * Opens the step's task in its agency's inbox (or finds it open, on a retry) and returns at once:
     * the workflow then waits for an officer's decision, which reaches it as an update.
     */
    async openTask({ dossierId, step, taskId }: StepRef & { taskId: string }): Promise<OpenedTask> {
      const dossier = await db.dossier.findUniqueOrThrow({ where: { id: dossierId }, include: { steps: { where: { step } } } });
      const current = dossier.steps[0];
      if (!current) throw ApplicationFailure.nonRetryable(`dossier has no step ${step}`, 'UnknownStep');
      const where = { dossierId_step_round_kind: { dossierId, step, round: current.round, kind: 'ACT' as const } };
      const existing = await db.agencyTask.findUnique({ where });
      // The officer has what is left of the step's deadline (a new round after a supplement: a new one).
      const startedAt = current.startedAt ?? new Date();
      const dueAt = existing ? existing.dueAt : current.round === 0 && current.dueAt ? current.dueAt : stepDueAt(calendar, dossier, step, new Date());
      const task = await db.$transaction(async (tx) => {
        const task = await tx.agencyTask.upsert({
          where,
          create: newTask(dossier, current, 'ACT', null, dueAt, taskId),
          // Awaited again (a step retried after an incident): back in the inbox, held by nobody.
          update: existing?.status === 'CANCELLED' ? { status: 'OPEN', claimedBy: null, claimedAt: null } : {},
        });
        await tx.dossierStep.updateMany({
          where: { id: current.id, round: current.round, status: { in: [...awaitingAnswerStepStatuses] } },
          data: { status: 'RUNNING', mode: 'MANUAL', attempts: { increment: 1 }, startedAt, dueAt },
        });
        // As performStep: only the group's first step moves the dossier on, never reopening it.
        await tx.dossier.updateMany({ where: { id: dossierId, status: 'RECEIVED' }, data: { status: 'IN_PROGRESS' } });
        if (!existing) await tx.dossierEvent.create({ data: { dossierId, type: 'TASK_OPENED', step, detail: { agency: current.agency, round: current.round } } });
        return task;
      });
      logger.info({ dossierNumber: dossier.dossierNumber, step }, 'manual task waiting in the agency inbox');
      return { taskId: task.id, round: task.round, claims: task.claims, holder: task.status === 'CLAIMED' ? task.claimedBy : null };
    },

    /**
     * Opens the UNDO task of a step done by hand, or answers at once when there is nothing to undo (the
     * act was never decided, or is undone already). After a refusal, on a supervisor's RETRY, the same
     * task goes back to the inbox.
     */
    async openUndoTask({ dossierId, step, taskId }: StepRef & { taskId: string; reason: string }): Promise<OpenedTask | { undone: boolean }> {
      const { dossier, current, answer } = await beginUndo(db, dossierId, step);
      if (answer) return answer;
      // Refused, waiting for a supplement, never started: no act was done.
      if (current.status !== 'COMPLETED') return { undone: false };
      const where = { dossierId_step_round_kind: { dossierId, step, round: current.round, kind: 'UNDO' as const } };
      const existing = await db.agencyTask.findUnique({ where });
      const reopen = !existing || existing.status === 'DONE' || existing.status === 'CANCELLED';
      const dueAt = stepDueAt(calendar, dossier, step, new Date());
      const task = await db.$transaction(async (tx) => {
        const task = await tx.agencyTask.upsert({
          where,
          create: newTask(dossier, current, 'UNDO', null, dueAt, taskId),
          update: reopen ? reopened(dueAt) : {},
        });
        if (reopen) await tx.dossierEvent.create({ data: { dossierId, type: 'COMPENSATION_REQUESTED', step, detail: { agency: current.agency, round: current.round } } });
        return task;
      });
      logger.info({ dossierNumber: dossier.dossierNumber, step }, 'undo task waiting in the agency inbox');
      return { taskId: task.id, round: task.round, claims: task.claims, holder: task.status === 'CLAIMED' ? task.claimedBy : null };
    },

    /**
     * Records an officer's decision, which the workflow accepted: the task DONE, and the step's answer
     * as performStep records one (an undo: as compensateStep does), in one transaction. Idempotent: a
     * retry finds the task decided and answers the same. Data the read model refuses (an ID number
     * issued to someone else meanwhile) is INVALID: the task stays open for another decision.
     */
    async recordTaskDecision({ decisionId }: { dossierId: string; decisionId: string }): Promise<RecordedDecision> {
      const decision = await db.taskDecision.findUniqueOrThrow({ where: { id: decisionId }, include: { task: true } });
      const { task } = decision;
      const outcome = decision.outcome as unknown as StepOutcome | UndoOutcome;
      const attempt = attemptOf(outcome as StepOutcome);
      if (task.status === 'DONE') {
        // Recorded by an earlier attempt (or, before decisions came as updates, by the API, whose
        // delivery may have failed): the waiting legacy activity is completed again, harmlessly.
        const recorded = (task.outcome as unknown as StepAttempt | null) ?? attempt;
        if (task.taskToken && temporal) await completeLegacyActivity(temporal, task, recorded);
        return { status: 'RECORDED', attempt: recorded };
      }
      const step = await db.dossierStep.findUniqueOrThrow({ where: { dossierId_step: { dossierId: task.dossierId, step: task.step } } });
      const detail = { taskId: task.id, by: decision.decidedBy };
      try {
        await db.$transaction(async (tx) => {
          const { count } = await tx.agencyTask.updateMany({
            where: { id: task.id, status: { in: [...openTaskStatuses] } },
            data: { status: 'DONE', completedAt: decision.recordedAt, completedBy: decision.decidedBy, outcome: attempt as object, deliveredAt: new Date() },
          });
          if (count !== 1) return;
          const writes = task.kind === 'UNDO' ? undoOutcomeWrites(tx, step, outcome as UndoOutcome, detail) : [stepOutcomeWrite(tx, step, outcome as StepOutcome, detail)];
          for (const write of writes) await write;
        });
      } catch (error) {
        if (isUniqueViolation(error)) return { status: 'INVALID', reason: 'this personal ID number is already issued to another person' };
        throw error;
      }
      // A task of a workflow started before decisions came as updates: its activity is completed too.
      if (task.taskToken && temporal) await completeLegacyActivity(temporal, task, attempt);
      return { status: 'RECORDED', attempt };
    },

    /** Who holds a task, as the workflow decided: an older claim arriving late changes nothing. */
    async recordTaskClaim({ taskId, holder, claims }: { taskId: string; holder: string | null; claims: number }): Promise<void> {
      await db.agencyTask.updateMany({
        where: { id: taskId, status: { in: [...openTaskStatuses] }, claims: { lt: claims } },
        data: holder ? { status: 'CLAIMED', claimedBy: holder, claimedAt: new Date(), claims } : { status: 'OPEN', claimedBy: null, claimedAt: null, claims },
      });
    },

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
          update: reopen ? { taskToken, ...reopened(dueAt) } : { taskToken },
        }),
        ...(reopen ? [db.dossierEvent.create({ data: { dossierId, type: 'COMPENSATION_REQUESTED', step, detail: { agency: current.agency, round: current.round } } })] : []),
      ]);
      logger.info({ dossierNumber: dossier.dossierNumber, step }, 'undo task waiting in the agency inbox');
      throw new CompleteAsyncError();
    },
  };
}

/** A task decided or cancelled before, back in the inbox for a new decision (an undo asked again). */
function reopened(dueAt: Date): Prisma.AgencyTaskUpdateInput {
  return { dueAt, status: 'OPEN', claimedBy: null, claimedAt: null, completedAt: null, completedBy: null, outcome: Prisma.DbNull, deliveredAt: null };
}

/** A task in the step's agency inbox, in the dossier's jurisdiction, waiting on this activity attempt. */
function newTask(
  dossier: { id: string; provinceCode: string; communeCode: string },
  step: { step: string; round: number; agency: string },
  kind: 'ACT' | 'UNDO',
  taskToken: Uint8Array<ArrayBuffer> | null,
  dueAt: Date,
  /** The workflow names the tasks it opens (it awaits them by that id before hearing back). */
  id: string = randomUUID(),
): Prisma.AgencyTaskUncheckedCreateInput {
  return {
    id,
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

/**
 * The asynchronous activity still waiting on a task opened before decisions came as updates gets the
 * decision's answer (compensateManualStep's for an undo). One no longer awaited (cancelled, timed out)
 * needs nothing: the workflow took the decision already.
 */
async function completeLegacyActivity(temporal: Client, task: { taskToken: Uint8Array | null; kind: string; agency: string; step: string }, attempt: StepAttempt): Promise<void> {
  const token = task.taskToken!;
  // An undo task's decision is an act's answer by its codes (never a supplement request).
  const answer = task.kind === 'ACT' ? attempt : undoAnswer(task, attempt as UndoAttempt);
  try {
    if (answer instanceof Error) await temporal.activity.fail(token, answer);
    else await temporal.activity.complete(token, answer);
  } catch (error) {
    if (!(error instanceof ActivityNotFoundError)) throw error;
  }
}
