import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { fakeActivities, createTestWorker, groupInput, waitFor, type FakeOptions } from '../tests/workflows/harness';
import { createTimeSkippingEnvironment } from '../tests/support/time-skipping';
import { lifeEventNoticeWorkflow, procedureGroupWorkflow } from '../workflows';
import { noticeTimeline } from '../domain/life-events';
import {
  noticeConfirmedSignal,
  noticeWorkflowIdFor,
  progressQuery,
  provideSupplementUpdate,
  resolveIncidentUpdate,
  withdrawUpdate,
  workflowIdFor,
  type GroupWorkflowInput,
  type NoticeWorkflowInput,
  type StepAttempt,
  type StepStatus,
} from '../workflows/contract';
import type { StepCode } from '../domain/procedures';

/**
 * Records the event histories that tests/workflows/replay.test.ts replays against the current
 * workflow code. Run it only when a deliberate, versioned change to the workflow makes new histories
 * (old ones stay: running workflows were recorded with them; never overwrite them). Usage:
 * npx tsx scripts/record-histories.ts [--tag TAG] NAME… (the new scenarios to record; with a tag, saved
 * as NAME.TAG.json beside the earlier recordings, e.g. after a patch changed the workflow's commands)
 */
/** What the recording gives a scenario's interaction: the environment (to skip time) and the activities called. */
interface Run {
  env: TestWorkflowEnvironment;
  calls: ReturnType<typeof fakeActivities>['calls'];
}

interface Scenario {
  group: 'BIRTH' | 'DEATH';
  options: FakeOptions;
  /** The group's deadlines: true for one a day after the start, or the days after it of each level. */
  escalate?: boolean | number[];
  input?: Partial<GroupWorkflowInput>;
  /** What a clerk, supervisor or operator does while the group runs. */
  interact?: (handle: WorkflowHandle<typeof procedureGroupWorkflow>, run: Run) => Promise<void>;
}

/** A health facility's notice: its draft's legal time limit runs from an event on the server's today. */
interface NoticeScenario {
  kind: 'BIRTH' | 'DEATH';
  followAfterLimitDays: number;
  /** What the family does while the limit runs (nothing: the workflow runs to its end). */
  interact?: (handle: WorkflowHandle<typeof lifeEventNoticeWorkflow>, run: Run) => Promise<void>;
}

const agencyDown = () => new Error('agency unavailable');
/** Resolves after a real delay: the agency's answer is still on its way when the workflow is told something. */
const slowly = (ms: number) => () => new Promise<{ status: 'COMPLETED' }>((done) => setTimeout(() => done({ status: 'COMPLETED' }), ms));
const until = (handle: WorkflowHandle<typeof procedureGroupWorkflow>, step: StepCode, status: StepStatus) =>
  waitFor(async () => (await handle.query(progressQuery)).some((s) => s.step === step && s.status === status));
const onFirstAttempt = (first: () => StepAttempt, later: () => StepAttempt) => (attempt: number) => (attempt === 1 ? first() : later());
const day = 24 * 3600 * 1000;
const supplementAsked = onFirstAttempt(() => ({ status: 'SUPPLEMENT_REQUESTED', reason: 'household book page' }), () => ({ status: 'COMPLETED' }));
/** Withdraws the group once CHILD_HEALTH_INSURANCE waits for its supplement, so every earlier act is undone. */
const withdrawWhileWaiting = async (handle: WorkflowHandle<typeof procedureGroupWorkflow>) => {
  await until(handle, 'CHILD_HEALTH_INSURANCE', 'WAITING_FOR_SUPPLEMENT');
  await handle.executeUpdate(withdrawUpdate, { args: [{ reason: 'the family withdraws', requestedBy: 'clerk' }] });
};

const scenarios: Record<string, Scenario> = {
  'birth-group-completed': { group: 'BIRTH', options: {} },
  'birth-group-residence-refused': {
    group: 'BIRTH',
    options: { steps: { PERMANENT_RESIDENCE: () => ({ status: 'REFUSED', refusalCode: 'NOT_RESIDENT' }) } },
  },
  'death-group-completed': { group: 'DEATH', options: {} },
  // Deadline timers started, then dropped when the group ends in time.
  'birth-group-with-deadlines': { group: 'BIRTH', options: {}, escalate: true },
  // The failure paths: every way a running dossier can be parked, resumed or stopped.
  'birth-group-supplement-provided': {
    group: 'BIRTH',
    options: { steps: { PERMANENT_RESIDENCE: onFirstAttempt(() => ({ status: 'SUPPLEMENT_REQUESTED', reason: 'household book page' }), () => ({ status: 'COMPLETED' })) } },
    interact: async (handle) => {
      await until(handle, 'PERMANENT_RESIDENCE', 'WAITING_FOR_SUPPLEMENT');
      await handle.executeUpdate(provideSupplementUpdate, { args: [{ step: 'PERMANENT_RESIDENCE', documents: ['DOC-HK-01'] }] });
    },
  },
  'birth-group-incident-retried': {
    group: 'BIRTH',
    options: { steps: { PERSONAL_ID: (attempt) => (attempt <= 3 ? agencyDown() : { status: 'COMPLETED' }) } },
    interact: async (handle) => {
      await until(handle, 'PERSONAL_ID', 'INCIDENT');
      await handle.executeUpdate(resolveIncidentUpdate, { args: [{ step: 'PERSONAL_ID', decision: 'RETRY', decidedBy: 'supervisor', reason: 'outage over' }] });
    },
  },
  'birth-group-incident-skipped': {
    group: 'BIRTH',
    options: { steps: { CHILD_HEALTH_INSURANCE: agencyDown } },
    interact: async (handle) => {
      await until(handle, 'CHILD_HEALTH_INSURANCE', 'INCIDENT');
      await handle.executeUpdate(resolveIncidentUpdate, { args: [{ step: 'CHILD_HEALTH_INSURANCE', decision: 'SKIP', decidedBy: 'supervisor', reason: 'optional' }] });
    },
  },
  'birth-group-withdrawn-during-step': {
    group: 'BIRTH',
    options: { steps: { PERMANENT_RESIDENCE: slowly(1500), CHILD_HEALTH_INSURANCE: onFirstAttempt(() => ({ status: 'SUPPLEMENT_REQUESTED', reason: 'facility' }), () => ({ status: 'COMPLETED' })) } },
    interact: async (handle) => {
      await until(handle, 'CHILD_HEALTH_INSURANCE', 'WAITING_FOR_SUPPLEMENT');
      await handle.executeUpdate(withdrawUpdate, { args: [{ reason: 'the family withdraws', requestedBy: 'clerk' }] });
    },
  },
  'birth-group-manual-steps': { group: 'BIRTH', options: {}, input: { modes: { PERSONAL_ID: 'MANUAL', PERMANENT_RESIDENCE: 'MANUAL' } } },
  'birth-group-temporal-cancellation': {
    group: 'BIRTH',
    options: { steps: { PERMANENT_RESIDENCE: onFirstAttempt(() => ({ status: 'SUPPLEMENT_REQUESTED', reason: 'household book page' }), () => ({ status: 'COMPLETED' })) } },
    interact: async (handle) => {
      await until(handle, 'PERMANENT_RESIDENCE', 'WAITING_FOR_SUPPLEMENT');
      await handle.cancel();
    },
  },
  // A step done by hand is undone by hand: the undo goes to the agency's inbox (manual-undo-through-inbox).
  'birth-group-manual-undo': {
    group: 'BIRTH',
    options: { steps: { PERMANENT_RESIDENCE: supplementAsked } },
    input: { modes: { PERSONAL_ID: 'MANUAL' } },
    interact: async (handle) => {
      await until(handle, 'PERMANENT_RESIDENCE', 'WAITING_FOR_SUPPLEMENT');
      await until(handle, 'CHILD_HEALTH_INSURANCE', 'COMPLETED');
      await handle.executeUpdate(withdrawUpdate, { args: [{ reason: 'the family withdraws', requestedBy: 'clerk' }] });
    },
  },
  // The group's deadlines pass while a step waits for its supplement: marked overdue, escalated twice.
  'birth-group-escalated': {
    group: 'BIRTH',
    options: { steps: { PERMANENT_RESIDENCE: supplementAsked } },
    escalate: [1, 3],
    interact: async (handle, { env, calls }) => {
      await until(handle, 'PERMANENT_RESIDENCE', 'WAITING_FOR_SUPPLEMENT');
      await env.sleep(4 * day);
      await waitFor(async () => calls.filter((c) => c.activity === 'escalate').length === 2);
      await handle.executeUpdate(provideSupplementUpdate, { args: [{ step: 'PERMANENT_RESIDENCE', documents: ['DOC-HK-01'] }] });
    },
  },
  // An undo whose retries run out waits, as a COMPENSATION incident, for the supervisor's decision.
  'birth-group-compensation-retried': {
    group: 'BIRTH',
    options: { steps: { CHILD_HEALTH_INSURANCE: supplementAsked }, compensations: { PERSONAL_ID: (attempt) => (attempt <= 3 ? agencyDown() : true) } },
    interact: async (handle) => {
      await withdrawWhileWaiting(handle);
      await until(handle, 'PERSONAL_ID', 'INCIDENT');
      await handle.executeUpdate(resolveIncidentUpdate, { args: [{ step: 'PERSONAL_ID', decision: 'RETRY', decidedBy: 'supervisor', reason: 'outage over' }] });
    },
  },
  'birth-group-compensation-skipped': {
    group: 'BIRTH',
    options: { steps: { CHILD_HEALTH_INSURANCE: supplementAsked }, compensations: { PERMANENT_RESIDENCE: agencyDown } },
    interact: async (handle) => {
      await withdrawWhileWaiting(handle);
      await until(handle, 'PERMANENT_RESIDENCE', 'INCIDENT');
      await handle.executeUpdate(resolveIncidentUpdate, {
        args: [{ step: 'PERMANENT_RESIDENCE', decision: 'SKIP', decidedBy: 'supervisor', reason: 'entry revoked at the commune police by hand' }],
      });
    },
  },
  // Recording the outcome keeps failing (all 12 attempts): a BOOKKEEPING incident, retried once fixed.
  'birth-group-bookkeeping-retried': {
    group: 'BIRTH',
    options: { groupOutcome: (attempt) => (attempt <= 12 ? new Error('invalid byte sequence') : undefined) },
    interact: async (handle, { env }) => {
      await env.sleep(10 * 60_000); // the write's retries, with their backoff, run out
      await until(handle, 'BIRTH_REGISTRATION', 'INCIDENT');
      await handle.executeUpdate(resolveIncidentUpdate, { args: [{ step: 'BIRTH_REGISTRATION', decision: 'RETRY', decidedBy: 'supervisor', reason: 'encoding fixed' }] });
    },
  },
};

const noticeScenarios: Record<string, NoticeScenario> = {
  'birth-notice-confirmed': {
    kind: 'BIRTH',
    followAfterLimitDays: 365,
    interact: async (handle, { env }) => {
      await env.sleep(3 * day);
      await handle.signal(noticeConfirmedSignal, { dossierNumber: 'H79.26743-ONTIME-1' });
    },
  },
  // Reminded twice, marked overdue, then registered late all the same.
  'birth-notice-confirmed-late': {
    kind: 'BIRTH',
    followAfterLimitDays: 365,
    interact: async (handle, { env, calls }) => {
      await env.sleep(61 * day);
      await waitFor(async () => calls.some((c) => c.activity === 'markNoticeOverdue'));
      await handle.signal(noticeConfirmedSignal, { dossierNumber: 'H79.26743-LATE-1' });
    },
  },
  // Never confirmed: reminded, marked overdue, then left to the supervisors' lists.
  'death-notice-unconfirmed': { kind: 'DEATH', followAfterLimitDays: 30 },
};

async function main(): Promise<void> {
  const env = await createTimeSkippingEnvironment();
  const dir = join(__dirname, '..', 'tests', 'workflows', 'histories');
  mkdirSync(dir, { recursive: true });
  try {
    const args = process.argv.slice(2);
    const tagAt = args.indexOf('--tag');
    const suffix = tagAt >= 0 ? `.${args.splice(tagAt, 2)[1]}` : '';
    const wanted = args;
    const known = [...Object.keys(scenarios), ...Object.keys(noticeScenarios)];
    if (wanted.length === 0) throw new Error(`name the scenarios to record: ${known.join(', ')}`);
    const unknown = wanted.filter((n) => !known.includes(n));
    if (unknown.length > 0) throw new Error(`no such scenario: ${unknown.join(', ')}`);
    const save = (name: string, history: temporal.api.history.v1.IHistory) => {
      writeFileSync(join(dir, `${name}${suffix}.json`), JSON.stringify(temporal.api.history.v1.History.fromObject(history).toJSON()));
      console.log(`recorded ${name}${suffix}`);
    };
    for (const [name, scenario] of Object.entries(scenarios).filter(([n]) => wanted.includes(n))) {
      const { activities, calls } = fakeActivities(scenario.options);
      const { worker, taskQueue } = await createTestWorker(env, activities);
      const now = await env.currentTimeMs();
      const levels = scenario.escalate === true ? [1] : scenario.escalate || [];
      const escalations = levels.map((days, i) => ({ level: i + 1, at: now + days * day }));
      const input = { ...groupInput(scenario.group), ...scenario.input, ...(escalations.length ? { escalations } : {}) };
      const handle = await env.client.workflow.start(procedureGroupWorkflow, { taskQueue, workflowId: workflowIdFor(input.dossierNumber), args: [input] });
      await worker.runUntil(async () => {
        await scenario.interact?.(handle, { env, calls });
        await handle.result().catch(() => undefined); // a cancelled workflow ends in an error, as intended
      });
      save(name, await handle.fetchHistory());
    }
    for (const [name, scenario] of Object.entries(noticeScenarios).filter(([n]) => wanted.includes(n))) {
      const { activities, calls } = fakeActivities();
      const { worker, taskQueue } = await createTestWorker(env, activities);
      const now = await env.currentTimeMs();
      const today = new Date(now + 7 * 3600_000).toISOString().slice(0, 10); // the event's date, Vietnam time
      const input: NoticeWorkflowInput = { noticeId: randomUUID(), kind: scenario.kind, ...noticeTimeline(scenario.kind, today, now), followAfterLimitMs: scenario.followAfterLimitDays * day };
      const handle = await env.client.workflow.start(lifeEventNoticeWorkflow, { taskQueue, workflowId: noticeWorkflowIdFor(input.noticeId), args: [input] });
      await worker.runUntil(async () => {
        await scenario.interact?.(handle, { env, calls });
        await handle.result();
      });
      save(name, await handle.fetchHistory());
    }
  } finally {
    await env.teardown();
  }
}

void main();
