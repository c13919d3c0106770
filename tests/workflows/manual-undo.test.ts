import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { withdrawUpdate, workflowIdFor, type StepAttempt } from '../../workflows/contract';
import { procedureGroupWorkflow } from '../../workflows';
import { createTimeSkippingEnvironment } from '../support/time-skipping';
import { createTestWorker, fakeActivities, groupInput, waitFor } from './harness';

describe('procedure group workflow: an act done by hand is undone by hand (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('compensates MANUAL steps through the inbox activity and automated ones through the agency adapter', async () => {
    let release: (attempt: StepAttempt) => void = () => undefined;
    const card = new Promise<StepAttempt>((resolve) => (release = resolve));
    const fake = fakeActivities({ steps: { CHILD_HEALTH_INSURANCE: () => card } });
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    const input = { ...groupInput('BIRTH'), modes: { PERSONAL_ID: 'MANUAL', PERMANENT_RESIDENCE: 'MANUAL' } as const };
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(procedureGroupWorkflow, { taskQueue, workflowId: workflowIdFor(input.dossierNumber), args: [input] });
      await waitFor(async () => fake.stepsCalled('performStep').includes('CHILD_HEALTH_INSURANCE') && fake.stepsCalled('openTask').includes('PERMANENT_RESIDENCE'));
      await handle.executeUpdate(withdrawUpdate, { args: [{ reason: 'moving abroad', requestedBy: 'clerk-1' }] });
      release({ status: 'COMPLETED' });
      const outcome = await handle.result();
      expect(outcome.status).toBe('WITHDRAWN');
    });
    expect(fake.stepsCalled('openUndoTask').sort()).toEqual(['PERMANENT_RESIDENCE', 'PERSONAL_ID']);
    expect(fake.stepsCalled('compensateStep').sort()).toEqual(['BIRTH_REGISTRATION', 'CHILD_HEALTH_INSURANCE']);
  });
});
