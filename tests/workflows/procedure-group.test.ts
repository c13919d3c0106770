import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { StepCode } from '../../domain/procedures';
import { progressQuery, resolveIncidentUpdate, workflowIdFor } from '../../workflows/contract';
import { procedureGroupWorkflow } from '../../workflows';
import { createTimeSkippingEnvironment } from '../support/time-skipping';
import { createTestWorker, fakeActivities, groupInput, waitFor, type FakeOptions } from './harness';

describe('procedure group workflow: steps, refusals, retries, incidents', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  async function run(group: 'BIRTH' | 'DEATH', options: FakeOptions, steps?: StepCode[], maximumAttempts = 3) {
    const fake = fakeActivities(options);
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    const input = groupInput(group, steps, maximumAttempts);
    const outcome = await worker.runUntil(
      env.client.workflow.execute(procedureGroupWorkflow, { taskQueue, workflowId: workflowIdFor(input.dossierNumber), args: [input] }),
    );
    return { outcome, ...fake };
  }

  it('runs birth registration and ID number, then residence and health insurance, and completes', async () => {
    const { outcome, stepsCalled, calls } = await run('BIRTH', {});
    expect(outcome.status).toBe('COMPLETED');
    const performed = stepsCalled('performStep');
    expect(performed.slice(0, 2)).toEqual(['BIRTH_REGISTRATION', 'PERSONAL_ID']);
    expect(new Set(performed.slice(2))).toEqual(new Set(['PERMANENT_RESIDENCE', 'CHILD_HEALTH_INSURANCE']));
    expect(calls.at(-1)).toEqual({ activity: 'recordGroupOutcome', detail: 'COMPLETED' });
    expect(stepsCalled('compensateStep')).toEqual([]);
  });

  it('sends MANUAL steps to the agency inbox activity and the others to the agency adapter', async () => {
    const fake = fakeActivities({});
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    const input = { ...groupInput('BIRTH'), modes: { BIRTH_REGISTRATION: 'MANUAL', CHILD_HEALTH_INSURANCE: 'MANUAL' } as const };
    const outcome = await worker.runUntil(
      env.client.workflow.execute(procedureGroupWorkflow, { taskQueue, workflowId: workflowIdFor(input.dossierNumber), args: [input] }),
    );
    expect(outcome.status).toBe('COMPLETED');
    expect(fake.stepsCalled('openTask').sort()).toEqual(['BIRTH_REGISTRATION', 'CHILD_HEALTH_INSURANCE']);
    expect(fake.stepsCalled('performStep').sort()).toEqual(['PERMANENT_RESIDENCE', 'PERSONAL_ID']);
  });

  it('runs only the chosen subset of procedures', async () => {
    const { outcome, stepsCalled } = await run('BIRTH', {}, ['BIRTH_REGISTRATION', 'PERSONAL_ID', 'PERMANENT_RESIDENCE']);
    expect(outcome.status).toBe('COMPLETED');
    expect(outcome.steps.map((s) => s.step)).toEqual(['BIRTH_REGISTRATION', 'PERSONAL_ID', 'PERMANENT_RESIDENCE']);
    expect(stepsCalled('performStep')).not.toContain('CHILD_HEALTH_INSURANCE');
  });

  it('runs a death group: residence removal, funeral allowance and survivor benefits after the death registration', async () => {
    const { outcome, stepsCalled } = await run('DEATH', {});
    expect(outcome.status).toBe('COMPLETED');
    const performed = stepsCalled('performStep');
    expect(performed[0]).toBe('DEATH_REGISTRATION');
    expect(new Set(performed.slice(1))).toEqual(new Set(['RESIDENCE_REMOVAL', 'FUNERAL_ALLOWANCE', 'SURVIVOR_BENEFIT']));
  });

  it('a death group of two procedures runs only those two', async () => {
    const { outcome } = await run('DEATH', {}, ['DEATH_REGISTRATION', 'FUNERAL_ALLOWANCE']);
    expect(outcome.steps).toEqual([
      { step: 'DEATH_REGISTRATION', status: 'COMPLETED' },
      { step: 'FUNERAL_ALLOWANCE', status: 'COMPLETED' },
    ]);
  });

  it('retries a transient failure with backoff and then completes', async () => {
    const { outcome, attempts } = await run('BIRTH', {
      steps: { PERSONAL_ID: (attempt) => (attempt < 3 ? new Error('population database unreachable') : { status: 'COMPLETED' }) },
    });
    expect(attempts.get('PERSONAL_ID')).toBe(3);
    expect(outcome.status).toBe('COMPLETED');
  });

  it('a refused residence registration ends the group partially completed; nothing is undone', async () => {
    const { outcome, stepsCalled } = await run('BIRTH', { steps: { PERMANENT_RESIDENCE: () => ({ status: 'REFUSED', refusalCode: 'NOT_RESIDENT' }) } });
    expect(outcome.status).toBe('PARTIALLY_COMPLETED');
    expect(outcome.steps).toEqual([
      { step: 'BIRTH_REGISTRATION', status: 'COMPLETED' },
      { step: 'PERSONAL_ID', status: 'COMPLETED' },
      { step: 'PERMANENT_RESIDENCE', status: 'REFUSED' },
      { step: 'CHILD_HEALTH_INSURANCE', status: 'COMPLETED' },
    ]);
    // A refusal is a business answer: called once, never retried, and it undoes nothing.
    expect(stepsCalled('performStep').filter((s) => s === 'PERMANENT_RESIDENCE')).toHaveLength(1);
    expect(stepsCalled('compensateStep')).toEqual([]);
  });

  it('a refused death registration blocks every later step and the group is refused', async () => {
    const { outcome, calls } = await run('DEATH', { steps: { DEATH_REGISTRATION: () => ({ status: 'REFUSED', refusalCode: 'DUPLICATE' }) } });
    expect(outcome.status).toBe('REFUSED');
    expect(outcome.steps.map((s) => s.status)).toEqual(['REFUSED', 'BLOCKED', 'BLOCKED', 'BLOCKED']);
    expect(calls.filter((c) => c.activity === 'recordStepOutcome' && c.detail === 'BLOCKED')).toHaveLength(3);
  });

  it('exhausted retries park the step as an incident; a supervisor retry completes the group', async () => {
    let healthy = false;
    const fake = fakeActivities({ steps: { PERSONAL_ID: () => (healthy ? { status: 'COMPLETED' } : new Error('still down')) } });
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    const input = groupInput('BIRTH', undefined, 2);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(procedureGroupWorkflow, { taskQueue, workflowId: workflowIdFor(input.dossierNumber), args: [input] });
      await waitFor(async () => (await handle.query(progressQuery)).find((p) => p.step === 'PERSONAL_ID')?.status === 'INCIDENT');
      expect(fake.attempts.get('PERSONAL_ID')).toBe(2);
      // A mandatory step cannot be skipped; the update is rejected and changes nothing.
      await expect(handle.executeUpdate(resolveIncidentUpdate, { args: [{ step: 'PERSONAL_ID', decision: 'SKIP', decidedBy: 'sup-1', reason: 'x' }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/mandatory/) } });
      healthy = true;
      await handle.executeUpdate(resolveIncidentUpdate, { args: [{ step: 'PERSONAL_ID', decision: 'RETRY', decidedBy: 'sup-1', reason: 'outage over' }] });
      const outcome = await handle.result();
      expect(outcome.status).toBe('COMPLETED');
    });
    expect(fake.calls.filter((c) => c.activity === 'openIncident')).toEqual([{ activity: 'openIncident', step: 'PERSONAL_ID', detail: 'STEP' }]);
    expect(fake.calls.filter((c) => c.activity === 'closeIncident')).toEqual([{ activity: 'closeIncident', step: 'PERSONAL_ID', detail: 'RETRY' }]);
  });

  it('a supervisor may skip an optional step whose incident persists; the group ends partially completed', async () => {
    const fake = fakeActivities({ steps: { CHILD_HEALTH_INSURANCE: () => new Error('down') } });
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    const input = groupInput('BIRTH', undefined, 2);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(procedureGroupWorkflow, { taskQueue, workflowId: workflowIdFor(input.dossierNumber), args: [input] });
      await waitFor(async () => (await handle.query(progressQuery)).find((p) => p.step === 'CHILD_HEALTH_INSURANCE')?.status === 'INCIDENT');
      await handle.executeUpdate(resolveIncidentUpdate, { args: [{ step: 'CHILD_HEALTH_INSURANCE', decision: 'SKIP', decidedBy: 'sup-1', reason: 'card issued at the desk' }] });
      const outcome = await handle.result();
      expect(outcome.status).toBe('PARTIALLY_COMPLETED');
      expect(outcome.steps.find((s) => s.step === 'CHILD_HEALTH_INSURANCE')?.status).toBe('SKIPPED');
    });
  });

  it('answers a progress query while a step is being retried', async () => {
    const fake = fakeActivities({ steps: { BIRTH_REGISTRATION: () => new Error('down') } });
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    const input = { ...groupInput('BIRTH', ['BIRTH_REGISTRATION', 'PERSONAL_ID'], 100), retry: { initialIntervalMs: 60_000, maximumIntervalMs: 60_000, maximumAttempts: 100 } };
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(procedureGroupWorkflow, { taskQueue, workflowId: workflowIdFor(input.dossierNumber), args: [input] });
      expect(await handle.query(progressQuery)).toEqual([
        { step: 'BIRTH_REGISTRATION', status: 'RUNNING' },
        { step: 'PERSONAL_ID', status: 'PENDING' },
      ]);
      await handle.terminate('test over');
    });
  });
});
