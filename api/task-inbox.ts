import { ActivityNotFoundError, type Client } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import { stepOutcomeWrite, attemptOf, type StepOutcome } from '../activities/step-outcomes';
import { stepRequests } from '../activities/step-requests';
import { storedUndoOutcome, undoAnswer, undoOutcomeWrites, type StoredUndoOutcome, type UndoOutcome } from '../activities/undo-outcomes';
import { authorize, scopeFilter, type TaskAction } from '../domain/authorization';
import { intakeSchema } from '../domain/intake';
import type { Principal } from '../domain/principal';
import type { StepCode } from '../domain/procedures';
import { Prisma, type Database } from '../runtime/database';
import type { Logger } from '../runtime/logger';
import type { StepAttempt } from '../workflows/contract';
import { forbidden, principalOf } from './auth/plugin';
import { ProblemError } from './problem';
import { withinTemporalDeadline, workflowServiceUnavailable } from './temporal-calls';

/**
 * The agency inbox: which tasks a principal reaches, and an officer's decision on a task, recorded in
 * the read model and handed to the waiting workflow (Temporal asynchronous activity completion).
 */
export interface TaskDependencies {
  db: Database;
  temporal: Client;
  logger: Logger;
}

export const taskInclude = { dossier: { select: { dossierNumber: true, procedureGroup: true, definitionVersion: true, status: true, provinceCode: true, communeCode: true, steps: { select: { agency: true } } } } } as const;
export type LoadedTask = Prisma.AgencyTaskGetPayload<{ include: typeof taskInclude }>;

const notFound = (id: string) => new ProblemError(404, 'Task not found', `no task ${id}`);
const conflict = (detail: string) => new ProblemError(409, 'Not possible now', detail);

/** The inbox filter: an agency sees its own tasks in its jurisdiction, a supervisor every task in its scope. */
export function inboxWhere(principal: Principal): Prisma.AgencyTaskWhereInput {
  const place = scopeFilter(principal.jurisdiction);
  return principal.role === 'SUPERVISOR' ? place : { ...place, agency: principal.agency ?? '-' };
}

/**
 * Loads a task for an action, or answers 404/403: a principal that reaches neither the task nor its
 * dossier gets the same 404 as for a missing task (nothing leaks across agencies and jurisdictions);
 * one that can read the dossier but may not act on this task gets 403.
 */
export async function taskFor(db: Database, request: FastifyRequest, id: string, action: TaskAction): Promise<{ task: LoadedTask; principal: Principal }> {
  const principal = principalOf(request);
  const task = await db.agencyTask.findUnique({ where: { id }, include: taskInclude });
  if (!task) throw notFound(id);
  const scope = { agency: task.agency, provinceCode: task.provinceCode, communeCode: task.communeCode };
  if (authorize(principal, { action, task: scope })) return { task, principal };
  const visible =
    authorize(principal, { action: 'task.list', task: scope }) ||
    authorize(principal, { action: 'dossier.read', dossier: { ...scope, agencies: task.dossier.steps.map((s) => s.agency) } });
  if (!visible) throw notFound(id);
  throw forbidden(`${principal.role} ${principal.subject} may not ${action} task ${id}`);
}

/**
 * What the agency needs to decide: the request its system would have received, built from the dossier
 * when read (the intake and earlier results stay in one place; the task row holds no personal data).
 */
export async function taskInput(db: Database, task: LoadedTask): Promise<unknown> {
  const dossier = await db.dossier.findUniqueOrThrow({ where: { id: task.dossierId }, include: { steps: true } });
  const current = dossier.steps.find((s) => s.step === task.step);
  // An undo task: the act to undo, as the officer recorded it (e.g. the ID number to cancel).
  if (task.kind === 'UNDO') return { act: current?.result ?? null };
  const results = Object.fromEntries(dossier.steps.filter((s) => s.result !== null).map((s) => [s.step, s.result]));
  try {
    return stepRequests[task.step as StepCode]({ intake: intakeSchema.parse(dossier.intake), results, supplements: current?.supplementDocuments ?? [] });
  } catch {
    // A dossier that lacks what the request needs (an earlier result): the task is shown without it.
    return null;
  }
}

const open = ['OPEN', 'CLAIMED'] as const;

/**
 * Records an officer's decision and completes the waiting activity with it.
 *
 * Order: database first, then Temporal. The result must be in the read model before the workflow
 * resumes (the next step builds its request from it), so the database is written first, in one
 * transaction: a conditional update (task OPEN/CLAIMED, not held by another officer → DONE, exactly
 * one row or 409) together with the step's result, written as performStep writes it. Then Temporal is
 * told, and `deliveredAt` set. A crash or Temporal outage in between leaves a DONE task with no
 * `deliveredAt`: the same officer repeating the call re-delivers the recorded decision (and the
 * activity, if it is ever retried, reports it from the row), so nothing is lost or done twice. If
 * Temporal no longer knows the activity (cancelled, timed out) the decision is undone and it is a 409.
 */
export async function decideTask(deps: TaskDependencies, task: LoadedTask, principal: Principal, outcome: StepOutcome | UndoOutcome): Promise<{ redelivered: boolean }> {
  const undo = task.kind === 'UNDO';
  // An act's decision is the step's answer; an undo's is the compensation's (see activities/undo-outcomes.ts).
  const attempt = undo ? storedUndoOutcome(outcome as UndoOutcome) : attemptOf(outcome as StepOutcome);
  const step = await deps.db.dossierStep.findUniqueOrThrow({ where: { dossierId_step: { dossierId: task.dossierId, step: task.step } } });
  const recorded = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.agencyTask.updateMany({
      where: { id: task.id, status: { in: [...open] }, OR: [{ claimedBy: null }, { claimedBy: principal.subject }] },
      data: { status: 'DONE', completedAt: new Date(), completedBy: principal.subject, outcome: attempt as object },
    });
    if (count !== 1) return null;
    const detail = { taskId: task.id, by: principal.subject };
    const writes = undo ? undoOutcomeWrites(tx, step, outcome as UndoOutcome, detail) : [stepOutcomeWrite(tx, step, outcome as StepOutcome, detail)];
    for (const write of writes) await write;
    return tx.agencyTask.findUniqueOrThrow({ where: { id: task.id } });
  });

  let current = recorded;
  let redelivered = false;
  if (!current) {
    const now = await deps.db.agencyTask.findUniqueOrThrow({ where: { id: task.id } });
    // The same officer repeating a call whose delivery did not finish: deliver what was recorded.
    if (now.status === 'DONE' && now.deliveredAt === null && now.completedBy === principal.subject) {
      current = now;
      redelivered = true;
    } else if (now.status === 'DONE') throw conflict(`task ${task.id} has already been decided`);
    else if (now.status === 'CANCELLED') throw conflict(`task ${task.id} was cancelled (the procedure group was stopped)`);
    else throw conflict(`task ${task.id} is claimed by ${now.claimedBy}`);
  }

  try {
    const { taskToken } = current;
    const decided = (current.outcome as unknown as StepAttempt | StoredUndoOutcome | null) ?? attempt;
    // An undo refused by the agency fails the compensation (an incident); anything else completes it.
    const answer = undo ? undoAnswer(task, decided as StoredUndoOutcome) : decided;
    await withinTemporalDeadline(deps.temporal, () =>
      answer instanceof Error ? deps.temporal.activity.fail(taskToken, answer) : deps.temporal.activity.complete(taskToken, answer),
    );
  } catch (error) {
    if (error instanceof ActivityNotFoundError) {
      await undoDecision(deps.db, task, step);
      throw conflict(`task ${task.id} is no longer awaited (the step was cancelled or timed out)`);
    }
    deps.logger.error({ err: (error as Error).message, taskId: task.id }, 'could not deliver a task decision to Temporal');
    throw workflowServiceUnavailable('the decision is recorded; repeat the same call to deliver it');
  }
  await deps.db.agencyTask.update({ where: { id: task.id }, data: { deliveredAt: new Date() } });
  return { redelivered };
}

/** Temporal no longer waits for this task: it is cancelled and the step row is put back as it was. */
async function undoDecision(db: Database, task: LoadedTask, before: Prisma.DossierStepGetPayload<object>): Promise<void> {
  await db.$transaction([
    db.agencyTask.updateMany({
      where: { id: task.id, status: 'DONE', deliveredAt: null },
      data: { status: 'CANCELLED', completedAt: null, completedBy: null, outcome: Prisma.DbNull },
    }),
    db.dossierStep.update({
      where: { id: before.id },
      data: {
        status: before.status,
        result: before.result ?? Prisma.DbNull,
        refusalCode: before.refusalCode,
        refusalReason: before.refusalReason,
        supplementReason: before.supplementReason,
        finishedAt: before.finishedAt,
        compensation: before.compensation ?? Prisma.DbNull,
        compensatedAt: before.compensatedAt,
      },
    }),
    db.dossierEvent.create({ data: { dossierId: task.dossierId, type: 'TASK_DECISION_REJECTED', step: task.step, detail: { taskId: task.id } } }),
    // The decision's announcement goes with it, unsent: the citizen is told only what stands.
    db.citizenNotification.deleteMany({
      where: { dossierId: task.dossierId, step: task.step, round: before.round, event: { in: ['STEP_COMPLETED', 'STEP_REFUSED'] }, status: { in: ['PENDING', 'SKIPPED'] } },
    }),
  ]);
}
