import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { fakeActivities, createTestWorker, groupInput, waitFor, type FakeOptions } from '../tests/workflows/harness';
import { createTimeSkippingEnvironment } from '../tests/support/time-skipping';
import { procedureGroupWorkflow } from '../workflows';
import {
  progressQuery,
  provideSupplementUpdate,
  resolveIncidentUpdate,
  withdrawUpdate,
  workflowIdFor,
  type GroupWorkflowInput,
  type StepAttempt,
  type StepProgressStatus,
} from '../workflows/contract';
import type { StepCode } from '../domain/procedures';

/**
 * Records the event histories that tests/workflows/replay.test.ts replays against the current
 * workflow code. Run it only when a deliberate, versioned change to the workflow makes new histories
 * (old ones stay: running workflows were recorded with them; never overwrite them). Usage:
 * npx tsx scripts/record-histories.ts [--tag TAG] NAME… (the new scenarios to record; with a tag, saved
 * as NAME.TAG.json beside the earlier recordings, e.g. after a patch changed the workflow's commands)
 */
interface Scenario {
  group: 'BIRTH' | 'DEATH';
  options: FakeOptions;
  escalate?: boolean;
  input?: Partial<GroupWorkflowInput>;
  /** What a clerk, supervisor or operator does while the group runs. */
  interact?: (handle: WorkflowHandle<typeof procedureGroupWorkflow>) => Promise<void>;
}

const agencyDown = () => new Error('agency unavailable');
/** Resolves after a real delay: the agency's answer is still on its way when the workflow is told something. */
const slowly = (ms: number) => () => new Promise<{ status: 'COMPLETED' }>((done) => setTimeout(() => done({ status: 'COMPLETED' }), ms));
const until = (handle: WorkflowHandle<typeof procedureGroupWorkflow>, step: StepCode, status: StepProgressStatus) =>
  waitFor(async () => (await handle.query(progressQuery)).some((s) => s.step === step && s.status === status));
const onFirstAttempt = (first: () => StepAttempt, later: () => StepAttempt) => (attempt: number) => (attempt === 1 ? first() : later());

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
    if (wanted.length === 0) throw new Error(`name the scenarios to record: ${Object.keys(scenarios).join(', ')}`);
    for (const [name, scenario] of Object.entries(scenarios).filter(([n]) => wanted.includes(n))) {
      const { activities } = fakeActivities(scenario.options);
      const { worker, taskQueue } = await createTestWorker(env, activities);
      const now = await env.currentTimeMs();
      const input = { ...groupInput(scenario.group), ...scenario.input, ...(scenario.escalate ? { escalations: [{ level: 1, at: now + 86_400_000 }] } : {}) };
      const handle = await env.client.workflow.start(procedureGroupWorkflow, { taskQueue, workflowId: workflowIdFor(input.dossierNumber), args: [input] });
      await worker.runUntil(async () => {
        await scenario.interact?.(handle);
        await handle.result().catch(() => undefined); // a cancelled workflow ends in an error, as intended
      });
      const history = await handle.fetchHistory();
      writeFileSync(join(dir, `${name}${suffix}.json`), JSON.stringify(temporal.api.history.v1.History.fromObject(history).toJSON()));
      console.log(`recorded ${name}${suffix}`);
    }
  } finally {
    await env.teardown();
  }
}

void main();
