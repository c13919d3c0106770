import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { DossierActivities, StepRef, StepResult } from '../../activities';
import type { StepCode } from '../../domain/procedures';
import { workflowsPath } from '../../worker/create-worker';
import { progressQuery, type GroupOutcome, type GroupWorkflowInput } from '../../workflows/contract';
import { procedureGroupWorkflow } from '../../workflows';
import { createTimeSkippingEnvironment } from '../support/time-skipping';

type Behaviour = (attempt: number) => StepResult | Error;

/** Fake activities: each step answers as the test says and every call is recorded. */
function fakeActivities(behaviours: Partial<Record<StepCode, Behaviour>>) {
  const calls: { activity: string; step?: string; status?: string }[] = [];
  const attempts = new Map<StepCode, number>();
  const activities: DossierActivities = {
    async performStep({ step }: StepRef) {
      const attempt = (attempts.get(step) ?? 0) + 1;
      attempts.set(step, attempt);
      calls.push({ activity: 'performStep', step });
      const outcome = (behaviours[step] ?? (() => ({ status: 'COMPLETED' as const })))(attempt);
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    async recordStepOutcome({ step, status }) {
      calls.push({ activity: 'recordStepOutcome', step, status });
    },
    async recordGroupOutcome({ status }) {
      calls.push({ activity: 'recordGroupOutcome', status });
    },
  };
  return { activities, calls, attempts };
}

const allSteps: StepCode[] = ['BIRTH_REGISTRATION', 'PERSONAL_ID', 'PERMANENT_RESIDENCE', 'CHILD_HEALTH_INSURANCE'];

describe('procedure group workflow (time-skipping test server, fake activities)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  async function run(steps: StepCode[], behaviours: Partial<Record<StepCode, Behaviour>>, maximumAttempts = 3) {
    const taskQueue = `wf-${randomUUID()}`;
    const fake = fakeActivities(behaviours);
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, activities: fake.activities });
    const input: GroupWorkflowInput = {
      dossierId: randomUUID(),
      dossierNumber: `T-${randomUUID()}`,
      group: 'BIRTH',
      steps,
      retry: { initialIntervalMs: 1000, maximumIntervalMs: 60_000, maximumAttempts },
    };
    const outcome: GroupOutcome = await worker.runUntil(
      env.client.workflow.execute(procedureGroupWorkflow, { taskQueue, workflowId: `dossier-${input.dossierNumber}`, args: [input] }),
    );
    return { outcome, ...fake };
  }

  it('runs birth registration and ID number, then residence and health insurance, and completes', async () => {
    const { outcome, calls } = await run(allSteps, {});
    expect(outcome.status).toBe('COMPLETED');
    const performed = calls.filter((c) => c.activity === 'performStep').map((c) => c.step);
    expect(performed.slice(0, 2)).toEqual(['BIRTH_REGISTRATION', 'PERSONAL_ID']);
    expect(new Set(performed.slice(2))).toEqual(new Set(['PERMANENT_RESIDENCE', 'CHILD_HEALTH_INSURANCE']));
    expect(calls.at(-1)).toEqual({ activity: 'recordGroupOutcome', status: 'COMPLETED' });
  });

  it('runs only the chosen subset of procedures', async () => {
    const { outcome, calls } = await run(['BIRTH_REGISTRATION', 'PERSONAL_ID', 'PERMANENT_RESIDENCE'], {});
    expect(outcome.status).toBe('COMPLETED');
    expect(outcome.steps.map((s) => s.step)).toEqual(['BIRTH_REGISTRATION', 'PERSONAL_ID', 'PERMANENT_RESIDENCE']);
    expect(calls.some((c) => c.step === 'CHILD_HEALTH_INSURANCE')).toBe(false);
  });

  it('retries a transient failure with backoff and then completes', async () => {
    const { outcome, attempts } = await run(allSteps, {
      PERSONAL_ID: (attempt) => (attempt < 3 ? new Error('population database unreachable') : { status: 'COMPLETED' }),
    });
    expect(attempts.get('PERSONAL_ID')).toBe(3);
    expect(outcome.status).toBe('COMPLETED');
  });

  it('a refused residence registration ends the group partially completed; nothing is undone', async () => {
    const { outcome, calls } = await run(allSteps, { PERMANENT_RESIDENCE: () => ({ status: 'REFUSED', refusalCode: 'NOT_RESIDENT' }) });
    expect(outcome.status).toBe('PARTIALLY_COMPLETED');
    expect(outcome.steps).toEqual([
      { step: 'BIRTH_REGISTRATION', status: 'COMPLETED' },
      { step: 'PERSONAL_ID', status: 'COMPLETED' },
      { step: 'PERMANENT_RESIDENCE', status: 'REFUSED' },
      { step: 'CHILD_HEALTH_INSURANCE', status: 'COMPLETED' },
    ]);
    // A refusal is a business answer: called once, never retried.
    expect(calls.filter((c) => c.step === 'PERMANENT_RESIDENCE' && c.activity === 'performStep')).toHaveLength(1);
  });

  it('a refused birth registration blocks every later step and the group is refused', async () => {
    const { outcome, calls } = await run(allSteps, { BIRTH_REGISTRATION: () => ({ status: 'REFUSED', refusalCode: 'DUPLICATE' }) });
    expect(outcome.status).toBe('REFUSED');
    expect(outcome.steps.map((s) => s.status)).toEqual(['REFUSED', 'BLOCKED', 'BLOCKED', 'BLOCKED']);
    expect(calls.filter((c) => c.activity === 'performStep')).toHaveLength(1);
    expect(calls.filter((c) => c.activity === 'recordStepOutcome' && c.status === 'BLOCKED')).toHaveLength(3);
  });

  it('a step whose retries are exhausted is failed and its dependants blocked', async () => {
    const { outcome, attempts } = await run(allSteps, { PERSONAL_ID: () => new Error('still down') }, 4);
    expect(attempts.get('PERSONAL_ID')).toBe(4);
    expect(outcome.status).toBe('FAILED');
    expect(outcome.steps.map((s) => s.status)).toEqual(['COMPLETED', 'FAILED', 'BLOCKED', 'BLOCKED']);
  });

  it('answers a progress query while a step is being retried', async () => {
    const taskQueue = `wf-${randomUUID()}`;
    const { activities } = fakeActivities({ BIRTH_REGISTRATION: () => new Error('down') });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, activities });
    const input: GroupWorkflowInput = {
      dossierId: randomUUID(),
      dossierNumber: `T-${randomUUID()}`,
      group: 'BIRTH',
      steps: ['BIRTH_REGISTRATION', 'PERSONAL_ID'],
      retry: { initialIntervalMs: 60_000, maximumIntervalMs: 60_000, maximumAttempts: 100 },
    };
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(procedureGroupWorkflow, { taskQueue, workflowId: `dossier-${input.dossierNumber}`, args: [input] });
      const progress = await handle.query(progressQuery);
      expect(progress).toEqual([
        { step: 'BIRTH_REGISTRATION', status: 'RUNNING' },
        { step: 'PERSONAL_ID', status: 'PENDING' },
      ]);
      await handle.terminate('test over');
    });
  });
});
