import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { DossierActivities } from '../../activities';
import { currentDefinition, type ProcedureGroup, type StepCode } from '../../domain/procedures';
import { createWorkingCalendar } from '../../domain/working-days';
import { workflowsPath } from '../../worker/create-worker';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { decideTaskUpdate, type GroupWorkflowInput, type OpenedTask, type StepAttempt, type TaskKind } from '../../workflows/contract';

/** How a faked step answers an attempt; a promise keeps the call in flight (an agency taking its time). */
export type Behaviour = (attempt: number) => StepAttempt | Error | Promise<StepAttempt | Error>;

export interface FakeOptions {
  steps?: Partial<Record<StepCode, Behaviour>>;
  compensations?: Partial<Record<StepCode, (attempt: number) => boolean | Error>>;
  /** How recording an officer's decision or claim goes (a database refusing the write). */
  taskRecords?: (attempt: number) => Error | undefined;
  /** How recording a step's outcome goes (a slow write: the moment between a decision and its record). */
  stepOutcome?: (step: StepCode, status: string) => void | Promise<void>;
  /** How recording the group's outcome goes (a database refusing the write, a slow write). */
  groupOutcome?: (attempt: number) => void | Error | Promise<void>;
}

/**
 * Fake activities for workflow tests: each step answers as the test says, every call is recorded,
 * and the supplement deadline uses the real working-day calendar.
 */
export function fakeActivities(options: FakeOptions = {}) {
  const calls: { activity: string; step?: StepCode; detail?: unknown }[] = [];
  const attempts = new Map<string, number>();
  const supplementDueAt = new Map<StepCode, number>();
  const incidentIds: string[] = [];
  const calendar = createWorkingCalendar();
  const rounds = new Map<StepCode, number>();
  /** The last task opened for each step, for a test to decide or claim itself. */
  const opened = new Map<StepCode, OpenedTask>();
  /** What each officer's decision was (the API's task_decision rows, here). */
  const decided = new Map<string, StepAttempt>();
  /** An officer's decision through the workflow's update, as the API sends it. */
  const decide = (workflowId: string, step: StepCode, kind: TaskKind, task: OpenedTask, attempt: StepAttempt, decidedBy = 'officer-1') => {
    const decisionId = randomUUID();
    decided.set(decisionId, attempt);
    return officersClient()
      .workflow.getHandle(workflowId)
      .executeUpdate(decideTaskUpdate, { args: [{ decisionId, taskId: task.taskId, step, kind, round: task.round, status: attempt.status, decidedBy }] });
  };
  // A group stopped meanwhile refuses it, as it refuses the API.
  const officerDecides = (workflowId: string, step: StepCode, kind: TaskKind, task: OpenedTask, attempt: StepAttempt) =>
    decide(workflowId, step, kind, task, attempt).catch(() => undefined);
  const count = (key: string) => {
    const n = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, n);
    return n;
  };
  const activities: DossierActivities = {
    async performStep({ step }) {
      calls.push({ activity: 'performStep', step });
      const outcome = await (options.steps?.[step] ?? (() => ({ status: 'COMPLETED' as const })))(count(step));
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    /** A manual step answers like an automated one here; what differs is which activity was called. */
    async performManualStep({ step }) {
      calls.push({ activity: 'performManualStep', step });
      const outcome = await (options.steps?.[step] ?? (() => ({ status: 'COMPLETED' as const })))(count(step));
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    async compensateStep({ step }) {
      calls.push({ activity: 'compensateStep', step });
      const outcome = (options.compensations?.[step] ?? (() => true))(count(`undo:${step}`));
      if (outcome instanceof Error) throw outcome;
      return { undone: outcome };
    },
    /**
     * A manual step's task: opened, then an officer decides it as the step's behaviour says (through
     * the workflow's update, as the API does), once the behaviour's answer is there.
     */
    async openTask({ step, taskId }) {
      calls.push({ activity: 'openTask', step });
      const task = { taskId, round: rounds.get(step) ?? 0, claims: 0, holder: null };
      opened.set(step, task);
      const answer = (options.steps?.[step] ?? (() => ({ status: 'COMPLETED' as const })))(count(step));
      if (answer instanceof Error) throw answer;
      const workflowId = Context.current().info.workflowExecution!.workflowId;
      void Promise.resolve(answer).then((attempt) => {
        if (attempt instanceof Error) return;
        if (attempt.status === 'SUPPLEMENT_REQUESTED') rounds.set(step, task.round + 1);
        return officerDecides(workflowId, step, 'ACT', task, attempt);
      });
      return task;
    },
    /** Undoing a manual step: nothing to undo (false), an officer undoing it (true), or refusing to (an error). */
    async openUndoTask({ step, taskId }) {
      calls.push({ activity: 'openUndoTask', step });
      const answer = (options.compensations?.[step] ?? (() => true))(count(`undo:${step}`));
      if (answer === false) return { undone: false };
      const task = { taskId, round: rounds.get(step) ?? 0, claims: 0, holder: null };
      const attempt: StepAttempt = answer === true ? { status: 'COMPLETED' } : { status: 'REFUSED', refusalCode: 'UNDO_REFUSED' };
      void officerDecides(Context.current().info.workflowExecution!.workflowId, step, 'UNDO', task, attempt);
      return task;
    },
    async recordTaskDecision({ decisionId }) {
      const failure = options.taskRecords?.(count('taskRecord'));
      if (failure) throw failure;
      const attempt = decided.get(decisionId);
      calls.push({ activity: 'recordTaskDecision', detail: attempt?.status });
      return attempt ? { status: 'RECORDED' as const, attempt } : { status: 'INVALID' as const, reason: 'unknown decision' };
    },
    async recordTaskClaim({ holder }) {
      const failure = options.taskRecords?.(count('taskRecord'));
      if (failure) throw failure;
      calls.push({ activity: 'recordTaskClaim', detail: holder });
    },
    /** Undoing a manual step answers as an automated undo would; what differs is which activity was called. */
    async compensateManualStep({ step }) {
      calls.push({ activity: 'compensateManualStep', step });
      const outcome = (options.compensations?.[step] ?? (() => true))(count(`undo:${step}`));
      if (outcome instanceof Error) throw outcome;
      return { undone: outcome };
    },
    async recordStepOutcome({ step, status }) {
      calls.push({ activity: 'recordStepOutcome', step, detail: status });
      await options.stepOutcome?.(step, status);
    },
    async openSupplementRequest({ step, periodWorkingDays, requestedAt }) {
      const dueAt = calendar.dueAt(new Date(requestedAt), periodWorkingDays).getTime();
      supplementDueAt.set(step, dueAt);
      calls.push({ activity: 'openSupplementRequest', step });
      return { dueAt };
    },
    async recordSupplementReceived({ step, documents }) {
      calls.push({ activity: 'recordSupplementReceived', step, detail: documents });
    },
    async openIncident({ step, kind, incidentId }) {
      calls.push({ activity: 'openIncident', step, detail: kind });
      if (incidentId) incidentIds.push(incidentId);
    },
    async closeIncident({ step, decision }) {
      calls.push({ activity: 'closeIncident', step, detail: decision });
    },
    async escalate({ level }) {
      calls.push({ activity: 'escalate', detail: level });
    },
    async escalateOverdueSteps() {
      return { escalated: 0, failed: 0 };
    },
    async recordGroupOutcome({ status }) {
      const outcome = await options.groupOutcome?.(count('groupOutcome'));
      if (outcome instanceof Error) throw outcome;
      calls.push({ activity: 'recordGroupOutcome', detail: status });
    },
    async remindFamily({ daysLeft }) {
      calls.push({ activity: 'remindFamily', detail: daysLeft });
      return { reminded: true };
    },
    async markNoticeOverdue() {
      calls.push({ activity: 'markNoticeOverdue' });
    },
    /** An apology's new date as asked, or the configured working days from now; a verification's extended limit from now. */
    async recordAppointmentChange({ kind, ordinal, newDueAt, workingDays, automatic, escalations }) {
      calls.push({ activity: 'recordAppointmentChange', detail: { kind, ordinal, automatic } });
      // The server's clock (skipped ahead of the real one on the time-skipping server).
      const now = new Date(Context.current().info.currentAttemptScheduledTimestampMs);
      const appointmentAt = newDueAt ?? (kind === 'VERIFICATION' && escalations?.[0] ? escalations[0].at + 2 * 24 * 3600_000 : calendar.dueAt(now, workingDays).getTime());
      // A verification moves each escalation by the deadline's move (the real activity counts working days).
      const moved = escalations && kind === 'VERIFICATION' ? escalations.map((p) => ({ level: p.level, at: p.at - escalations[0]!.at + appointmentAt })) : undefined;
      return { ordinal, appointmentAt, ...(moved ? { escalations: moved } : {}) };
    },
  };
  const stepsCalled = (activity: string) => calls.filter((c) => c.activity === activity).map((c) => c.step);
  return { activities, calls, attempts, supplementDueAt, stepsCalled, incidentIds, opened, decide };
}

export function groupInput(group: ProcedureGroup, steps?: StepCode[], maximumAttempts = 3): GroupWorkflowInput {
  const definition = currentDefinition(group);
  return {
    dossierId: randomUUID(),
    dossierNumber: `T-${randomUUID()}`,
    group,
    definitionVersion: definition.version,
    steps: steps ?? definition.steps.map((s) => s.code),
    retry: { initialIntervalMs: 1000, maximumIntervalMs: 60_000, maximumAttempts },
    compensationRetry: { initialIntervalMs: 1000, maximumIntervalMs: 60_000, maximumAttempts },
    supplementPeriodWorkingDays: 7,
  };
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
let officers: Client | undefined;
/** The client the fake officers decide tasks through: the test environment's (set by createTestWorker). */
const officersClient = (): Client => {
  if (!officers) throw new Error('createTestWorker first');
  return officers;
};

/** A worker on its own task queue (or the one given: a restarted worker); the workflow bundle is built once per test file. */
export async function createTestWorker(env: TestWorkflowEnvironment, activities: DossierActivities, taskQueue = `wf-${randomUUID()}`, options: Pick<WorkerOptions, 'maxCachedWorkflows'> = {}) {
  officers = env.client;
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundle, activities, ...options });
  return { worker, taskQueue };
}

/** Polls a condition on the workflow (queries do not advance time-skipping time). */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
