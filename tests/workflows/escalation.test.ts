import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { progressQuery, provideSupplementUpdate, searchAttributes, workflowIdFor } from '../../workflows/contract';
import { procedureGroupWorkflow } from '../../workflows';
import { createTimeSkippingEnvironment } from '../support/time-skipping';
import { createTestWorker, fakeActivities, groupInput, waitFor } from './harness';

const day = 24 * 3600 * 1000;

describe('overdue detection and escalation (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('a group still open at its deadline is marked overdue and escalated, then escalated again', async () => {
    let supplied = false;
    const fake = fakeActivities({
      steps: { PERMANENT_RESIDENCE: () => (supplied ? { status: 'COMPLETED' } : { status: 'SUPPLEMENT_REQUESTED', reason: 'household book' }) },
    });
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    const now = await env.currentTimeMs();
    const input = { ...groupInput('BIRTH'), escalations: [{ level: 1, at: now + 3 * day }, { level: 2, at: now + 5 * day }] };
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(procedureGroupWorkflow, { taskQueue, workflowId: workflowIdFor(input.dossierNumber), args: [input] });
      await waitFor(async () => (await handle.query(progressQuery)).some((p) => p.status === 'WAITING_FOR_SUPPLEMENT'));
      const escalations = () => fake.calls.filter((c) => c.activity === 'escalate').map((c) => c.detail);

      await env.sleep(3 * day - 3600_000);
      expect(escalations()).toEqual([]);
      expect((await handle.describe()).typedSearchAttributes.get(searchAttributes.overdue)).toBeUndefined();

      await env.sleep(2 * 3600_000);
      await waitFor(async () => escalations().length === 1);
      expect((await handle.describe()).typedSearchAttributes.get(searchAttributes.overdue)).toBe(true);

      await env.sleep(2 * day);
      await waitFor(async () => escalations().length === 2);
      expect(escalations()).toEqual([1, 2]);

      supplied = true;
      await handle.executeUpdate(provideSupplementUpdate, { args: [{ step: 'PERMANENT_RESIDENCE', documents: ['DOC-1'] }] });
      expect((await handle.result()).status).toBe('COMPLETED');
    });
  });

  it('a group that ends before its deadline is never escalated', async () => {
    const fake = fakeActivities();
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    const now = await env.currentTimeMs();
    const input = { ...groupInput('DEATH'), escalations: [{ level: 1, at: now + 5 * day }, { level: 2, at: now + 7 * day }] };
    const outcome = await worker.runUntil(env.client.workflow.execute(procedureGroupWorkflow, { taskQueue, workflowId: workflowIdFor(input.dossierNumber), args: [input] }));
    expect(outcome.status).toBe('COMPLETED');
    await env.sleep(10 * day);
    expect(fake.calls.some((c) => c.activity === 'escalate')).toBe(false);
  });
});
