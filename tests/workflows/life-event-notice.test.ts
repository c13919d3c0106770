import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { noticeTimeline } from '../../domain/life-events';
import { noticeConfirmedSignal, noticeWorkflowIdFor, type NoticeWorkflowInput } from '../../workflows/contract';
import { lifeEventNoticeWorkflow } from '../../workflows';
import { createTimeSkippingEnvironment } from '../support/time-skipping';
import { createTestWorker, fakeActivities, waitFor } from './harness';

const day = 24 * 3600 * 1000;

/** A draft's legal time limit as durable timers, run in days of skipped time. */
describe('the legal time limit of a notice (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  /** A birth on the test server's today, Vietnam time: limit 60 days on, reminders 30 and 7 days before it. */
  const birthToday = async (): Promise<NoticeWorkflowInput> => {
    const now = await env.currentTimeMs();
    const today = new Date(now + 7 * 3600_000).toISOString().slice(0, 10);
    return { noticeId: randomUUID(), kind: 'BIRTH', ...noticeTimeline('BIRTH', today, now), followAfterLimitMs: 365 * day };
  };

  it('an unconfirmed birth draft is reminded at 30 and 7 days left, marked overdue after 60 days, and still confirmed late', async () => {
    const fake = fakeActivities();
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    const input = await birthToday();
    const start = await env.currentTimeMs();
    const of = (activity: string) => fake.calls.filter((c) => c.activity === activity).map((c) => c.detail ?? true);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(lifeEventNoticeWorkflow, { taskQueue, workflowId: noticeWorkflowIdFor(input.noticeId), args: [input] });
      // Day 29 (Vietnam time, so up to a day short of the 30-day mark): nothing yet.
      await env.sleep(input.limitAt - 30 * day - start - 3600_000);
      expect(of('remindFamily')).toEqual([]);
      await env.sleep(2 * 3600_000);
      await waitFor(async () => of('remindFamily').length === 1);
      expect(of('remindFamily')).toEqual([30]);

      await env.sleep(23 * day);
      await waitFor(async () => of('remindFamily').length === 2);
      expect(of('remindFamily')).toEqual([30, 7]);
      expect(of('markNoticeOverdue')).toEqual([]);

      await env.sleep(7 * day);
      await waitFor(async () => of('markNoticeOverdue').length === 1);

      // Late, but registered all the same.
      await handle.signal(noticeConfirmedSignal, { dossierNumber: 'H79.26743-LATE-1' });
      expect(await handle.result()).toEqual({ status: 'CONFIRMED', late: true });
    });
  });

  it('a draft confirmed in time ends its timers: no reminder afterwards, never overdue', async () => {
    const fake = fakeActivities();
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    const input = await birthToday();
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(lifeEventNoticeWorkflow, { taskQueue, workflowId: noticeWorkflowIdFor(input.noticeId), args: [input] });
      await env.sleep(3 * day);
      await handle.signal(noticeConfirmedSignal, { dossierNumber: 'H79.26743-ONTIME-1' });
      // Past both reminders and the limit, the worker still polling: a timer the confirmation left running fires here.
      await env.sleep(90 * day);
      expect(await handle.result()).toEqual({ status: 'CONFIRMED', late: false });
      // Ended at the confirmation, not at a later timer.
      const { startTime, closeTime } = await handle.describe();
      expect(closeTime!.getTime() - startTime.getTime()).toBeLessThan(4 * day);
    });
    expect(fake.calls.filter((c) => c.activity === 'remindFamily' || c.activity === 'markNoticeOverdue')).toEqual([]);
  });

  it('a death draft never confirmed is reminded at 7 and 2 days left, overdue after 15 days, then left to the supervisors', async () => {
    const fake = fakeActivities();
    const { worker, taskQueue } = await createTestWorker(env, fake.activities);
    const now = await env.currentTimeMs();
    const today = new Date(now + 7 * 3600_000).toISOString().slice(0, 10);
    const input: NoticeWorkflowInput = { noticeId: randomUUID(), kind: 'DEATH', ...noticeTimeline('DEATH', today, now), followAfterLimitMs: 30 * day };
    expect(input.reminders.map((r) => r.daysLeft)).toEqual([7, 2]);
    const outcome = await worker.runUntil(env.client.workflow.execute(lifeEventNoticeWorkflow, { taskQueue, workflowId: noticeWorkflowIdFor(input.noticeId), args: [input] }));
    expect(outcome).toEqual({ status: 'UNCONFIRMED' });
    expect(fake.calls.map((c) => [c.activity, c.detail])).toEqual([
      ['remindFamily', 7],
      ['remindFamily', 2],
      ['markNoticeOverdue', undefined],
    ]);
  });
});

describe('noticeTimeline', () => {
  it('ends the limit at midnight after its last day, Vietnam time, and drops reminders already past', () => {
    const bornAt = Date.parse('2026-10-01T10:00:00+07:00');
    const { limitAt, reminders } = noticeTimeline('BIRTH', '2026-10-01', bornAt);
    // 60 days after 1 October is 30 November: registrable through that day.
    expect(new Date(limitAt).toISOString()).toBe('2026-11-30T17:00:00.000Z');
    expect(reminders.map((r) => r.daysLeft)).toEqual([30, 7]);
    // A notice sent 40 days late keeps only the reminder still ahead.
    expect(noticeTimeline('BIRTH', '2026-10-01', bornAt + 40 * day).reminders.map((r) => r.daysLeft)).toEqual([7]);
  });
});
