import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { declareVerificationUpdate, issueApologyUpdate, progressQuery, workflowIdFor, type GroupWorkflowInput } from '../../workflows/contract';
import { procedureGroupWorkflow } from '../../workflows';
import { createWorkingCalendar } from '../../domain/working-days';
import { createTimeSkippingEnvironment } from '../support/time-skipping';
import { createTestWorker, fakeActivities, groupInput, waitFor } from './harness';

/** Ends a group the test no longer needs; one that has already ended on its own (its timers ran out under skipped time) needs nothing. */
async function endTest(handle: WorkflowHandle): Promise<void> {
  await handle.terminate('test over').catch((error: unknown) => {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  });
}

const hour = 3600_000;
const day = 24 * hour;

/**
 * Nghị định 63 Điều 7.2–7.3 in the workflow, on the time-skipping server: the automatic apology once the
 * appointment passed with no officer's apology (once per lateness, whatever the worker does), an
 * officer's apology only when late and once, a verification once, moving the escalations with it.
 */
describe('apologies and the verification extension (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  /**
   * A group parked on a supplement (so it stays open), due in 3 days, apologised for automatically 4
   * hours after. The supplement waits 30 working days: 7 could end before the tests' last date,
   * depending on the weekday the skipped clock has reached.
   */
  const openGroup = async (): Promise<GroupWorkflowInput> => {
    const now = await env.currentTimeMs();
    return {
      ...groupInput('BIRTH'),
      supplementPeriodWorkingDays: 30,
      escalations: [{ level: 1, at: now + 3 * day }, { level: 2, at: now + 5 * day }],
      appointments: { dueAt: now + 3 * day, autoApologyAfterMs: 4 * hour, apologyWorkingDays: 2, verificationWorkingDays: 5 },
    };
  };
  /** Started, and parked on its supplement. */
  const startParked = async (input: GroupWorkflowInput, taskQueue: string) => {
    const handle = await env.client.workflow.start(procedureGroupWorkflow, { taskQueue, workflowId: workflowIdFor(input.dossierNumber), args: [input] });
    await waitFor(async () => (await handle.query(progressQuery)).some((p) => p.status === 'WAITING_FOR_SUPPLEMENT'));
    return handle;
  };
  const parked = () => fakeActivities({ steps: { PERMANENT_RESIDENCE: () => ({ status: 'SUPPLEMENT_REQUESTED', reason: 'household book' }) } });
  const changes = (fake: ReturnType<typeof fakeActivities>) => fake.calls.filter((c) => c.activity === 'recordAppointmentChange').map((c) => c.detail);
  const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => (error instanceof WorkflowUpdateFailedError ? error.cause?.message : String(error)));

  it('apologises by itself once after a worker restart, then once more only when the new date passes too', async () => {
    const fake = parked();
    const input = await openGroup();
    // No workflow cache, so no sticky queue: the time-skipping server would keep the next task on the
    // gone worker's sticky queue and never hand it to the second worker.
    const first = await createTestWorker(env, fake.activities, undefined, { maxCachedWorkflows: 0 });
    const handle = await first.worker.runUntil(async () => {
      return startParked(input, first.taskQueue);
    });
    // The first worker is gone; another takes the same queue (the timers live in Temporal, not in a worker).
    const second = await createTestWorker(env, fake.activities, first.taskQueue);
    await second.worker.runUntil(async () => {
      await env.sleep(3 * day + 3 * hour);
      expect(changes(fake)).toEqual([]);
      await env.sleep(2 * hour);
      await waitFor(async () => changes(fake).length === 1);
      await env.sleep(hour);
      expect(changes(fake)).toEqual([{ kind: 'APOLOGY', ordinal: 1, automatic: true }]);
      // An officer cannot apologise again while the new date stands.
      expect(await refusal(handle.executeUpdate(issueApologyUpdate, { args: [{ agency: 'COMMUNE_POLICE', reasonCode: 'WORKLOAD', issuedBy: 'officer-1' }] }))).toMatch(/already issued/);
      // The new date (2 working days after the apology, a holiday break counted out) passes, and 4 hours after it the second apology.
      const newDate = createWorkingCalendar().dueAt(new Date(input.appointments!.dueAt + 4 * hour), 2).getTime();
      await env.sleep(newDate + 3 * hour - (await env.currentTimeMs()));
      expect(changes(fake)).toHaveLength(1);
      await env.sleep(2 * hour);
      await waitFor(async () => changes(fake).length === 2);
      expect(changes(fake)[1]).toEqual({ kind: 'APOLOGY', ordinal: 2, automatic: true });
      await endTest(handle);
    });
  });

  it("an officer's apology: refused before the appointment passes, one of two sent at once, and no automatic one after it", async () => {
    const fake = parked();
    const input = await openGroup();
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    await worker.runUntil(async () => {
      const handle = await startParked(input, taskQueue);
      const apology = (by: string) => ({ agency: 'COMMUNE_POLICE', reasonCode: 'WORKLOAD', issuedBy: by, newDueAt: input.appointments!.dueAt + 6 * day });
      expect(await refusal(handle.executeUpdate(issueApologyUpdate, { args: [apology('officer-1')] }))).toMatch(/not late/);

      await env.sleep(3 * day + hour);
      const answers = await Promise.all([refusal(handle.executeUpdate(issueApologyUpdate, { args: [apology('officer-1')] })), refusal(handle.executeUpdate(issueApologyUpdate, { args: [apology('officer-2')] }))]);
      expect(answers.filter((a) => a === undefined)).toHaveLength(1);
      expect(answers.find((a) => a !== undefined)).toMatch(/being recorded|already issued/);
      expect(changes(fake)).toEqual([{ kind: 'APOLOGY', ordinal: 1, automatic: false }]);
      // The officer apologised in time: the system does not, before the new date.
      await env.sleep(5 * day);
      expect(changes(fake)).toHaveLength(1);
      // A date already past is refused by the workflow too.
      await env.sleep(day + 5 * hour);
      await waitFor(async () => changes(fake).length === 2);
      await endTest(handle);
    });
  });

  it('a verification is declared once and moves the escalations with the deadline', async () => {
    const fake = parked();
    const input = await openGroup();
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    await worker.runUntil(async () => {
      const handle = await startParked(input, taskQueue);
      const declaration = { agency: 'COMMUNE_POLICE', reasonCode: 'RESIDENCE_CHECK', issuedBy: 'officer-1' };
      const changed = await handle.executeUpdate(declareVerificationUpdate, { args: [declaration] });
      expect(changed.appointmentAt).toBeGreaterThan(input.appointments!.dueAt);
      expect(await refusal(handle.executeUpdate(declareVerificationUpdate, { args: [declaration] }))).toMatch(/already been declared/);
      const escalations = () => fake.calls.filter((c) => c.activity === 'escalate');
      // The old deadline passes without an escalation; the new one escalates.
      await env.sleep(3 * day + hour);
      expect(escalations()).toEqual([]);
      await env.sleep(changed.appointmentAt - (await env.currentTimeMs()) + hour);
      await waitFor(async () => escalations().length === 1);
      await endTest(handle);
    });
  });
});
