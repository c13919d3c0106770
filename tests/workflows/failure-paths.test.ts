import { WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { progressQuery, provideSupplementUpdate, resolveIncidentSignal, resolveIncidentUpdate, withdrawUpdate, workflowIdFor, type StepStatus } from '../../workflows/contract';
import type { StepCode } from '../../domain/procedures';
import { procedureGroupWorkflow } from '../../workflows';
import { createTimeSkippingEnvironment } from '../support/time-skipping';
import { createTestWorker, fakeActivities, groupInput, waitFor, type FakeOptions } from './harness';

const agencyDown = () => new Error('agency unavailable');

describe('procedure group workflow: failure paths (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  async function start(options: FakeOptions) {
    const fake = fakeActivities(options);
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    const input = groupInput('BIRTH');
    const begin = () => env.client.workflow.start(procedureGroupWorkflow, { taskQueue, workflowId: workflowIdFor(input.dossierNumber), args: [input] });
    const until = (handle: Awaited<ReturnType<typeof begin>>, step: StepCode, status: StepStatus) =>
      waitFor(async () => (await handle.query(progressQuery)).some((s) => s.step === step && s.status === status));
    return { fake, worker, begin, until };
  }

  it('a withdrawal waits for an agency call under way in a parallel branch, then undoes its act', async () => {
    let landed = false;
    let undoneAfterLanding: boolean | undefined;
    // The police are still registering residence when the family withdraws: the call lands when the test says.
    let land: (() => void) | undefined;
    const { fake, worker, begin, until } = await start({
      steps: {
        PERMANENT_RESIDENCE: () =>
          new Promise((done) => {
            land = () => {
              landed = true;
              done({ status: 'COMPLETED' });
            };
          }),
        CHILD_HEALTH_INSURANCE: () => ({ status: 'SUPPLEMENT_REQUESTED', reason: 'initial facility' }),
      },
      compensations: {
        PERMANENT_RESIDENCE: () => {
          undoneAfterLanding = landed;
          return true;
        },
      },
    });
    await worker.runUntil(async () => {
      const handle = await begin();
      await until(handle, 'CHILD_HEALTH_INSURANCE', 'WAITING_FOR_SUPPLEMENT');
      const withdrawal = await handle.startUpdate(withdrawUpdate, { args: [{ reason: 'the family withdraws', requestedBy: 'clerk' }], waitForStage: WorkflowUpdateStage.ACCEPTED });
      await waitFor(async () => land !== undefined);
      expect(landed).toBe(false);
      land!();
      await withdrawal.result();
      const outcome = await handle.result();
      expect(outcome.status).toBe('WITHDRAWN');
      expect(outcome.steps.find((s) => s.step === 'PERMANENT_RESIDENCE')?.status).toBe('COMPENSATED');
    });
    expect(undoneAfterLanding).toBe(true);
    // Newest first, and only once every branch settled.
    expect(fake.stepsCalled('compensateStep')).toEqual(['CHILD_HEALTH_INSURANCE', 'PERMANENT_RESIDENCE', 'PERSONAL_ID', 'BIRTH_REGISTRATION']);
  });

  it('a decision is bound to its incident: one meant for an earlier incident of the step is refused', async () => {
    const { fake, worker, begin, until } = await start({ steps: { PERSONAL_ID: (attempt) => (attempt <= 6 ? agencyDown() : { status: 'COMPLETED' }) } });
    await worker.runUntil(async () => {
      const handle = await begin();
      await until(handle, 'PERSONAL_ID', 'INCIDENT');
      const [first] = fake.incidentIds;
      await handle.executeUpdate(resolveIncidentUpdate, { args: [{ step: 'PERSONAL_ID', incidentId: first, decision: 'RETRY', decidedBy: 'sup', reason: 'outage over' }] });
      await waitFor(async () => fake.incidentIds.length === 2);
      await until(handle, 'PERSONAL_ID', 'INCIDENT');
      // A double-clicked or delayed decision about the first incident must not decide the second.
      const stale = handle.executeUpdate(resolveIncidentUpdate, { args: [{ step: 'PERSONAL_ID', incidentId: first, decision: 'RETRY', decidedBy: 'sup', reason: 'again' }] });
      await expect(stale).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(stale.catch((e: WorkflowUpdateFailedError) => e.cause?.message)).resolves.toMatch(/no longer open/);
      expect((await handle.query(progressQuery)).find((s) => s.step === 'PERSONAL_ID')?.status).toBe('INCIDENT');
      await handle.executeUpdate(resolveIncidentUpdate, { args: [{ step: 'PERSONAL_ID', incidentId: fake.incidentIds[1], decision: 'RETRY', decidedBy: 'sup', reason: 'now' }] });
      expect((await handle.result()).status).toBe('COMPLETED');
    });
    expect(new Set(fake.incidentIds).size).toBe(2);
  });

  it('a bulk decision (a signal) repeated or meant for an earlier incident is dropped, not applied to the next', async () => {
    const { fake, worker, begin, until } = await start({ steps: { PERSONAL_ID: (attempt) => (attempt <= 6 ? agencyDown() : { status: 'COMPLETED' }) } });
    await worker.runUntil(async () => {
      const handle = await begin();
      await until(handle, 'PERSONAL_ID', 'INCIDENT');
      const [first] = fake.incidentIds;
      const retry = (incidentId: string | undefined, reason: string) => ({ step: 'PERSONAL_ID' as const, incidentId, decision: 'RETRY' as const, decidedBy: 'sup', reason });
      // A bulk request sent twice: the second signal finds the decision taken and changes nothing.
      await handle.signal(resolveIncidentSignal, retry(first, 'outage over'));
      await handle.signal(resolveIncidentSignal, retry(first, 'outage over'));
      await waitFor(async () => fake.incidentIds.length === 2);
      await until(handle, 'PERSONAL_ID', 'INCIDENT');
      // A late copy about the first incident must not decide the second one.
      await handle.signal(resolveIncidentSignal, retry(first, 'late copy'));
      await env.sleep('1 hour');
      expect((await handle.query(progressQuery)).find((s) => s.step === 'PERSONAL_ID')?.status).toBe('INCIDENT');
      expect(fake.incidentIds).toHaveLength(2);
      await handle.signal(resolveIncidentSignal, retry(fake.incidentIds[1], 'now'));
      expect((await handle.result()).status).toBe('COMPLETED');
    });
  });

  it('a mandatory step can never be skipped', async () => {
    const { worker, begin, until } = await start({ steps: { PERSONAL_ID: agencyDown } });
    await worker.runUntil(async () => {
      const handle = await begin();
      await until(handle, 'PERSONAL_ID', 'INCIDENT');
      const skip = handle.executeUpdate(resolveIncidentUpdate, { args: [{ step: 'PERSONAL_ID', decision: 'SKIP', decidedBy: 'sup', reason: 'skip it' }] });
      await expect(skip).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await handle.executeUpdate(resolveIncidentUpdate, { args: [{ step: 'PERSONAL_ID', decision: 'CANCEL_GROUP', decidedBy: 'sup', reason: 'give up' }] });
      expect((await handle.result()).status).toBe('CANCELLED');
    });
  });

  it('recording the outcome that keeps failing becomes an incident; a retry records it', async () => {
    const { fake, worker, begin, until } = await start({ groupOutcome: (attempt) => (attempt <= 12 ? new Error('invalid byte sequence') : undefined) });
    await worker.runUntil(async () => {
      const handle = await begin();
      await env.sleep(10 * 60_000); // the write's retries, with their backoff, run out
      await until(handle, 'BIRTH_REGISTRATION', 'INCIDENT');
      expect(fake.calls.filter((c) => c.activity === 'openIncident')).toEqual([{ activity: 'openIncident', step: 'BIRTH_REGISTRATION', detail: 'BOOKKEEPING' }]);
      // The write is the dossier's record: it cannot be skipped, only retried once the cause is fixed.
      await expect(handle.executeUpdate(resolveIncidentUpdate, { args: [{ step: 'BIRTH_REGISTRATION', decision: 'SKIP', decidedBy: 'sup', reason: 'skip' }] })).rejects.toBeInstanceOf(
        WorkflowUpdateFailedError,
      );
      await handle.executeUpdate(resolveIncidentUpdate, { args: [{ step: 'BIRTH_REGISTRATION', decision: 'RETRY', decidedBy: 'sup', reason: 'fixed' }] });
      const outcome = await handle.result();
      expect(outcome.status).toBe('COMPLETED');
      expect(outcome.steps.every((s) => s.status === 'COMPLETED')).toBe(true);
    });
    expect(fake.calls.filter((c) => c.activity === 'recordGroupOutcome')).toEqual([{ activity: 'recordGroupOutcome', detail: 'COMPLETED' }]);
  });

  it('the final bookkeeping completes even when a cancellation arrives at that moment', async () => {
    let writing = false;
    const { fake, worker, begin } = await start({
      groupOutcome: () => {
        writing = true;
        return new Promise((done) => setTimeout(done, 1500));
      },
    });
    await worker.runUntil(async () => {
      const handle = await begin();
      await waitFor(async () => writing);
      await handle.cancel();
      expect((await handle.result()).status).toBe('COMPLETED');
    });
    expect(fake.calls.filter((c) => c.activity === 'recordGroupOutcome')).toEqual([{ activity: 'recordGroupOutcome', detail: 'COMPLETED' }]);
  });

  it('supplements brought together are all kept, and one arriving after the step resumed is refused, not lost', async () => {
    const { fake, worker, begin, until } = await start({
      steps: { PERMANENT_RESIDENCE: (attempt) => (attempt === 1 ? { status: 'SUPPLEMENT_REQUESTED', reason: 'household book' } : { status: 'COMPLETED' }) },
    });
    await worker.runUntil(async () => {
      const handle = await begin();
      await until(handle, 'PERMANENT_RESIDENCE', 'WAITING_FOR_SUPPLEMENT');
      const send = (document: string) =>
        handle.executeUpdate(provideSupplementUpdate, { args: [{ step: 'PERMANENT_RESIDENCE', documents: [document] }] }).then(
          () => document,
          () => undefined,
        );
      const accepted = (await Promise.all(['DOC-1', 'DOC-2', 'DOC-3'].map(send))).filter((d) => d !== undefined);
      expect(accepted.length).toBeGreaterThanOrEqual(1);
      expect((await handle.result()).status).toBe('COMPLETED');
      const recorded = fake.calls.filter((c) => c.activity === 'recordSupplementReceived').flatMap((c) => c.detail as string[]);
      expect(recorded.sort()).toEqual(accepted.sort());
    });
  });

  it('a supplement brought as its period runs out is refused (409), never accepted and then dropped', async () => {
    let release: () => void = () => undefined;
    const writing = new Promise<void>((resolve) => (release = resolve));
    const { fake, worker, begin, until } = await start({
      steps: { CHILD_HEALTH_INSURANCE: () => ({ status: 'SUPPLEMENT_REQUESTED', reason: 'birth certificate copy' }) },
      // The refusal for want of the supplement is being written when the family arrives.
      stepOutcome: (step, status) => (step === 'CHILD_HEALTH_INSURANCE' && status === 'REFUSED' ? writing : undefined),
    });
    await worker.runUntil(async () => {
      const handle = await begin();
      await until(handle, 'CHILD_HEALTH_INSURANCE', 'WAITING_FOR_SUPPLEMENT');
      // Waiting for the result lets time skip to the period's end; the refusal's write then holds it there.
      const result = handle.result();
      await waitFor(async () => fake.calls.some((c) => c.activity === 'recordStepOutcome' && c.step === 'CHILD_HEALTH_INSURANCE'));
      const late = handle.executeUpdate(provideSupplementUpdate, { args: [{ step: 'CHILD_HEALTH_INSURANCE', documents: ['DOC-LATE'] }] });
      await expect(late).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      release();
      const outcome = await result;
      expect(outcome.steps.find((s) => s.step === 'CHILD_HEALTH_INSURANCE')?.status).toBe('REFUSED');
    });
    expect(fake.calls.filter((c) => c.activity === 'recordSupplementReceived')).toEqual([]);
  });

  it('CANCEL_GROUP on an undo parked while a group cancelled through Temporal compensates is refused, and RETRY finishes it', async () => {
    const { fake, worker, begin, until } = await start({
      steps: { CHILD_HEALTH_INSURANCE: () => ({ status: 'SUPPLEMENT_REQUESTED', reason: 'initial facility' }) },
      compensations: { PERSONAL_ID: (attempt) => (attempt <= 3 ? agencyDown() : true) },
    });
    await worker.runUntil(async () => {
      const handle = await begin();
      await until(handle, 'CHILD_HEALTH_INSURANCE', 'WAITING_FOR_SUPPLEMENT');
      await handle.cancel();
      await until(handle, 'PERSONAL_ID', 'INCIDENT');
      const incidentId = fake.incidentIds.at(-1);
      const decide = (decision: 'CANCEL_GROUP' | 'RETRY') =>
        handle.executeUpdate(resolveIncidentUpdate, { args: [{ step: 'PERSONAL_ID', incidentId, decision, decidedBy: 'sup', reason: 'decided' }] });
      const cancel = decide('CANCEL_GROUP');
      await expect(cancel).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(cancel.catch((e: WorkflowUpdateFailedError) => e.cause?.message)).resolves.toMatch(/already being stopped/);
      await decide('RETRY');
      await expect(handle.result()).rejects.toThrow();
    });
    expect(fake.calls.filter((c) => c.activity === 'closeIncident')).toEqual([{ activity: 'closeIncident', step: 'PERSONAL_ID', detail: 'RETRY' }]);
    expect(fake.calls.filter((c) => c.activity === 'compensateStep' && c.step === 'PERSONAL_ID')).toHaveLength(4);
  });
});
