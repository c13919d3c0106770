import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createWorkingCalendar } from '../../domain/working-days';
import { progressQuery, provideSupplementUpdate, withdrawUpdate, workflowIdFor } from '../../workflows/contract';
import { procedureGroupWorkflow } from '../../workflows';
import { createTimeSkippingEnvironment } from '../support/time-skipping';
import { createTestWorker, fakeActivities, groupInput, waitFor, type FakeOptions } from './harness';

const hour = 3600 * 1000;

describe('procedure group workflow: supplements, withdrawal and compensation (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  async function start(group: 'BIRTH' | 'DEATH', options: FakeOptions) {
    const fake = fakeActivities(options);
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    const input = groupInput(group);
    return { fake, worker, input, begin: () => env.client.workflow.start(procedureGroupWorkflow, { taskQueue, workflowId: workflowIdFor(input.dossierNumber), args: [input] }) };
  }

  const waitingPolice = (round: () => number) => ({
    steps: { PERMANENT_RESIDENCE: () => (round() === 0 ? { status: 'SUPPLEMENT_REQUESTED' as const, reason: 'household book page missing' } : { status: 'COMPLETED' as const }) },
  });

  it('a supplement arriving on the last working day of the period resumes the step', async () => {
    let supplied = 0;
    const { fake, worker, begin } = await start('BIRTH', waitingPolice(() => supplied));
    await worker.runUntil(async () => {
      const handle = await begin();
      await waitFor(async () => fake.supplementDueAt.has('PERMANENT_RESIDENCE'));
      const dueAt = fake.supplementDueAt.get('PERMANENT_RESIDENCE')!;
      // The period is 7 working days, counted as the law counts them (the skipped clock stands still
      // while the test only queries, so now is when the request was made).
      const calendar = createWorkingCalendar();
      const now = await env.currentTimeMs();
      expect(dueAt).toBe(calendar.dueAt(new Date(now), 7).getTime());
      expect(calendar.isWorkingDay(new Date(dueAt + 7 * hour).toISOString().slice(0, 10))).toBe(true);
      await env.sleep(dueAt - now - 2 * hour); // last working day, two hours before the end
      supplied = 1;
      await handle.executeUpdate(provideSupplementUpdate, { args: [{ step: 'PERMANENT_RESIDENCE', documents: ['DOC-HK-01'] }] });
      const outcome = await handle.result();
      expect(outcome.status).toBe('COMPLETED');
    });
    expect(fake.calls.filter((c) => c.activity === 'recordSupplementReceived')).toEqual([
      { activity: 'recordSupplementReceived', step: 'PERMANENT_RESIDENCE', detail: ['DOC-HK-01'] },
    ]);
  });

  it('a supplement one day late finds the step refused; the rest of the group stands', async () => {
    const { fake, worker, begin } = await start('BIRTH', waitingPolice(() => 0));
    await worker.runUntil(async () => {
      const handle = await begin();
      await waitFor(async () => fake.supplementDueAt.has('PERMANENT_RESIDENCE'));
      const dueAt = fake.supplementDueAt.get('PERMANENT_RESIDENCE')!;
      await env.sleep(dueAt - (await env.currentTimeMs()) + 24 * hour);
      const outcome = await handle.result();
      expect(outcome.status).toBe('PARTIALLY_COMPLETED');
      expect(outcome.steps.find((s) => s.step === 'PERMANENT_RESIDENCE')?.status).toBe('REFUSED');
      await expect(handle.executeUpdate(provideSupplementUpdate, { args: [{ step: 'PERMANENT_RESIDENCE', documents: ['DOC-LATE'] }] })).rejects.toThrow();
    });
    expect(fake.calls).toContainEqual({ activity: 'recordStepOutcome', step: 'PERMANENT_RESIDENCE', detail: 'REFUSED' });
    expect(fake.stepsCalled('compensateStep')).toEqual([]);
  });

  it('withdrawal while a step waits undoes completed acts newest first, including the waiting one', async () => {
    const { fake, worker, begin } = await start('BIRTH', waitingPolice(() => 0));
    await worker.runUntil(async () => {
      const handle = await begin();
      await waitFor(async () => (await handle.query(progressQuery)).find((p) => p.step === 'PERMANENT_RESIDENCE')?.status === 'WAITING_FOR_SUPPLEMENT'
        && (await handle.query(progressQuery)).find((p) => p.step === 'CHILD_HEALTH_INSURANCE')?.status === 'COMPLETED');
      await handle.executeUpdate(withdrawUpdate, { args: [{ reason: 'moving abroad', requestedBy: 'clerk-1' }] });
      const outcome = await handle.result();
      expect(outcome.status).toBe('WITHDRAWN');
    });
    expect(fake.stepsCalled('compensateStep')).toEqual(['CHILD_HEALTH_INSURANCE', 'PERMANENT_RESIDENCE', 'PERSONAL_ID', 'BIRTH_REGISTRATION']);
    expect(fake.calls.at(-1)).toEqual({ activity: 'recordGroupOutcome', detail: 'WITHDRAWN' });
  });

  it('a compensation that fails twice then succeeds is retried to the end', async () => {
    const { fake, worker, begin } = await start('DEATH', {
      steps: { SURVIVOR_BENEFIT: () => ({ status: 'SUPPLEMENT_REQUESTED', reason: 'marriage certificate' }) },
      compensations: { FUNERAL_ALLOWANCE: (attempt) => (attempt <= 2 ? new Error('cancellation service down') : true) },
    });
    await worker.runUntil(async () => {
      const handle = await begin();
      await waitFor(async () => (await handle.query(progressQuery)).every((p) => p.step === 'SURVIVOR_BENEFIT' ? p.status === 'WAITING_FOR_SUPPLEMENT' : p.status === 'COMPLETED'));
      await handle.executeUpdate(withdrawUpdate, { args: [{ reason: 'family decides otherwise', requestedBy: 'clerk-1' }] });
      const outcome = await handle.result();
      expect(outcome.status).toBe('WITHDRAWN');
      expect(outcome.steps.find((s) => s.step === 'FUNERAL_ALLOWANCE')?.status).toBe('COMPENSATED');
    });
    expect(fake.attempts.get('undo:FUNERAL_ALLOWANCE')).toBe(3);
    expect(fake.calls.some((c) => c.activity === 'openIncident')).toBe(false);
  });

  it('cancelling the workflow itself still runs the compensations, then ends cancelled', async () => {
    const { fake, worker, begin } = await start('BIRTH', waitingPolice(() => 0));
    await worker.runUntil(async () => {
      const handle = await begin();
      await waitFor(async () => (await handle.query(progressQuery)).find((p) => p.step === 'PERMANENT_RESIDENCE')?.status === 'WAITING_FOR_SUPPLEMENT');
      await handle.cancel();
      const failure = await handle.result().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
    });
    expect(fake.stepsCalled('compensateStep')).toEqual(expect.arrayContaining(['PERSONAL_ID', 'BIRTH_REGISTRATION']));
    expect(fake.stepsCalled('compensateStep').at(-1)).toBe('BIRTH_REGISTRATION');
    expect(fake.calls.at(-1)).toEqual({ activity: 'recordGroupOutcome', detail: 'CANCELLED' });
  });
});
