import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { claimTaskUpdate, progressQuery, withdrawUpdate, workflowIdFor, type StepAttempt } from '../../workflows/contract';
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

  it('a decision or a claim whose record fails is refused to its caller and leaves the task awaiting; nothing is parked', async () => {
    let failing = true;
    const notFromTheOfficer = new Promise<StepAttempt>(() => undefined);
    const fake = fakeActivities({
      steps: { BIRTH_REGISTRATION: () => notFromTheOfficer },
      taskRecords: () => (failing ? ApplicationFailure.nonRetryable('database refuses the write') : undefined),
    });
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    const input = { ...groupInput('BIRTH', ['BIRTH_REGISTRATION', 'PERSONAL_ID']), modes: { BIRTH_REGISTRATION: 'MANUAL' } as const };
    const workflowId = workflowIdFor(input.dossierNumber);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(procedureGroupWorkflow, { taskQueue, workflowId, args: [input] });
      await waitFor(async () => fake.opened.has('BIRTH_REGISTRATION'));
      const task = fake.opened.get('BIRTH_REGISTRATION')!;
      const claim = (holder: string) =>
        handle.executeUpdate(claimTaskUpdate, { args: [{ taskId: task.taskId, step: 'BIRTH_REGISTRATION', kind: 'ACT', action: 'CLAIM', holder, by: holder }] });
      await expect(claim('officer-1')).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(fake.decide(workflowId, 'BIRTH_REGISTRATION', 'ACT', task, { status: 'COMPLETED' })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      // No incident, and the step still waits for its officer.
      expect(fake.calls.filter((c) => c.activity === 'openIncident')).toEqual([]);
      expect((await handle.query(progressQuery)).find((s) => s.step === 'BIRTH_REGISTRATION')?.status).toBe('RUNNING');
      failing = false;
      // The failed claim left the task with nobody: a colleague may take it and decide it.
      await claim('officer-2');
      await expect(fake.decide(workflowId, 'BIRTH_REGISTRATION', 'ACT', task, { status: 'COMPLETED' })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await fake.decide(workflowId, 'BIRTH_REGISTRATION', 'ACT', task, { status: 'COMPLETED' }, 'officer-2');
      expect((await handle.result()).status).toBe('COMPLETED');
    });
  });
});
