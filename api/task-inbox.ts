import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { StepOutcome, UndoOutcome } from '../domain/task-outcomes';
import { stepRequests } from '../domain/step-requests';
import { authorize, scopeFilter, type TaskAction } from '../domain/authorization';
import { intakeSchema } from '../domain/intake';
import type { Principal } from '../domain/principal';
import type { StepCode } from '../domain/procedures';
import type { Prisma, Database } from '../runtime/database';
import { isUniqueViolation } from '../runtime/database-errors';
import type { Logger } from '../runtime/logger';
import { claimTaskUpdate, decideTaskUpdate, workflowIdFor, type TaskClaim, type TaskKind } from '../workflows/contract';
import { forbidden, principalOf } from './auth/plugin';
import { digest } from './canonical-json';
import { asDelivery, sendMessage, type ClosedAs, type Delivery, type MessageOutbox } from './message-outbox';
import { ProblemError } from './problem';
import { withinTemporalDeadline } from './temporal-calls';
import { updateDossierWorkflow } from './workflow-messages';

/**
 * The agency inbox: which tasks a principal reaches, and an officer's decision on a task or a change of
 * its holder, handed to the dossier's workflow, which records them: the API writes no task or step.
 */
export interface TaskDependencies {
  db: Database;
  temporal: Client;
  logger: Logger;
}

export const taskInclude = {
  dossier: { select: { dossierNumber: true, procedureGroup: true, definitionVersion: true, status: true, provinceCode: true, communeCode: true, steps: { select: { agency: true } } } },
  // The latest decision: one not yet taken by the workflow (Temporal unreachable), or one it refused
  // after the officer was told it was on its way, is shown on the task.
  decisions: { orderBy: { recordedAt: 'desc' }, take: 1, select: { deliveredAt: true, outcomeOfDelivery: true, lastError: true, decidedBy: true, recordedAt: true } },
} as const;
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

/** A decision as the relay sends it: the update's argument is built from the row, codes only. */
interface DecisionRow {
  id: string;
  workflowId: string;
  taskId: string;
  step: StepCode;
  kind: TaskKind;
  round: number;
  outcome: StepOutcome | UndoOutcome;
  decidedBy: string;
}

/** Officers' decisions on their way to the workflows: `task_decision` is the decisions' outbox. */
export function taskDecisionOutbox(temporal: Client): MessageOutbox<DecisionRow> {
  return {
    table: 'task_decision',
    idType: 'uuid',
    outcomeColumn: 'outcome_of_delivery',
    columns: 'id, workflow_id AS "workflowId", task_id AS "taskId", step, kind::text AS kind, round, outcome, decided_by AS "decidedBy"',
    orderBy: 'next_attempt_at, recorded_at',
    send: (row) =>
      asDelivery(() =>
        withinTemporalDeadline(temporal, () =>
          temporal.workflow.getHandle(row.workflowId).executeUpdate(decideTaskUpdate, {
            // The decision's own id: Temporal applies a repeated update once and answers it again.
            updateId: `task-decision/${row.id}`,
            args: [{ decisionId: row.id, taskId: row.taskId, step: row.step, kind: row.kind, round: row.round, status: row.outcome.status, decidedBy: row.decidedBy }],
          }),
        ),
      ),
  };
}

type StoredDecision = Prisma.TaskDecisionGetPayload<object>;

/** What came of a decision delivered before (a repeated request finds its own decision). */
function deliveredAs(decision: StoredDecision): Delivery {
  const outcome = decision.outcomeOfDelivery as ClosedAs;
  if (outcome === 'DELIVERED' || outcome === 'WORKFLOW_ENDED') return { outcome };
  return { outcome: 'REJECTED', reason: decision.lastError ?? 'the decision was not accepted' };
}

/**
 * Records the decision (once per request: a repeat finds it by its idempotency key); a second decision
 * while one is still on its way to the workflow is refused at once by the one-pending-per-task index.
 */
async function recordDecision(db: Database, task: LoadedTask, principal: Principal, outcome: StepOutcome | UndoOutcome, messageKey: string | undefined): Promise<StoredDecision> {
  const earlier = messageKey ? await db.taskDecision.findUnique({ where: { messageKey } }) : null;
  if (earlier) return sameDecision(earlier, task, outcome);
  // A task decided before decisions came as updates whose delivery failed: repeating the call delivers it.
  const undelivered = task.status === 'DONE' && task.taskToken !== null && task.deliveredAt === null && task.completedBy === principal.subject;
  if (task.status === 'DONE' && !undelivered) throw conflict(`task ${task.id} has already been decided`);
  if (task.status === 'CANCELLED') throw conflict(`task ${task.id} was cancelled (the procedure group was stopped)`);
  if (task.claimedBy && task.claimedBy !== principal.subject) throw conflict(`task ${task.id} is claimed by ${task.claimedBy}`);
  try {
    return await db.taskDecision.create({
      data: {
        id: randomUUID(),
        taskId: task.id,
        dossierId: task.dossierId,
        workflowId: workflowIdFor(task.dossier.dossierNumber),
        step: task.step,
        kind: task.kind,
        round: task.round,
        outcome: outcome as object,
        decidedBy: principal.subject,
        messageKey: messageKey ?? null,
        // This request sends it; the relay only if the request does not get to (a crash, an outage).
        nextAttemptAt: new Date(Date.now() + relayTakesOverAfterMs),
      },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const repeated = messageKey ? await db.taskDecision.findUnique({ where: { messageKey } }) : null;
    if (repeated) return sameDecision(repeated, task, outcome);
    throw conflict(`another decision on task ${task.id} is on its way to the procedure group`);
  }
}

/**
 * A decision found by the request's key is this request's only if it decided the same task the same
 * way: a key reused for another decision (after an answer that was not kept, a 5xx) is a 422, never
 * the earlier decision answered again as if it were the new one.
 */
function sameDecision(earlier: StoredDecision, task: LoadedTask, outcome: StepOutcome | UndoOutcome): StoredDecision {
  if (earlier.taskId === task.id && digest(earlier.outcome) === digest(outcome)) return earlier;
  throw new ProblemError(422, 'Idempotency key reused', 'this Idempotency-Key was used for another decision', [
    { field: 'headers.idempotency-key', reason: 'already used for another decision' },
  ]);
}

/** How long the relay leaves a new decision to the request that recorded it. */
const relayTakesOverAfterMs = 30_000;

/**
 * An officer's decision: recorded here (with its data), then handed to the dossier's workflow as an
 * update, whose validator is the authority (a task decided meanwhile, claimed by a colleague, no longer
 * awaited: 409) and whose activities record it in the read model before it answers. RECORDED: the
 * read model shows it now. PENDING: Temporal could not be reached; the relay delivers it (at least
 * once, the same update id each time) and nothing is to be repeated.
 */
export async function decideTask(
  deps: TaskDependencies,
  task: LoadedTask,
  principal: Principal,
  outcome: StepOutcome | UndoOutcome,
  messageKey?: string,
): Promise<'RECORDED' | 'PENDING'> {
  const decision = await recordDecision(deps.db, task, principal, outcome, messageKey);
  const outbox = taskDecisionOutbox(deps.temporal);
  const delivery =
    decision.deliveredAt !== null
      ? deliveredAs(decision)
      : await sendMessage(deps, outbox, { ...decision, step: decision.step as StepCode, outcome: decision.outcome as unknown as StepOutcome });
  if (!delivery) return 'PENDING';
  if (delivery.outcome === 'DELIVERED') return 'RECORDED';
  if (delivery.outcome === 'WORKFLOW_ENDED') throw conflict('the procedure group has already ended');
  throw conflict(delivery.reason);
}

/** Who holds a task: asked of the workflow (which records it), never written here. */
export async function changeHolder(deps: TaskDependencies, task: LoadedTask, claim: Pick<TaskClaim, 'action' | 'holder' | 'by'>, messageKey?: string): Promise<void> {
  await updateDossierWorkflow(
    deps.temporal,
    workflowIdFor(task.dossier.dossierNumber),
    claimTaskUpdate,
    { ...claim, taskId: task.id, step: task.step as StepCode, kind: task.kind },
    // Named by the task and the change too: a key reused for another change is never taken for a repeat.
    messageKey ? `task-claim/${task.id}/${claim.action}/${claim.holder ?? '-'}/${messageKey}` : undefined,
  );
}
