import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { NoticeActivities } from '../activities/notices';
import { noticeConfirmedSignal, type NoticeOutcome, type NoticeWorkflowInput } from './contract';

/**
 * The legal time limit of a draft opened by a health facility's notice, as durable timers: the family
 * is reminded before the limit, the draft is marked overdue for supervisors at it, and the workflow
 * ends as soon as the family confirms the draft at the desk. Past the limit a registration still
 * happens, late, so the draft is awaited a while longer before it is left to the supervisors' lists
 * (where its row stays, draft and overdue).
 */
export async function lifeEventNoticeWorkflow(input: NoticeWorkflowInput): Promise<NoticeOutcome> {
  const { remindFamily, markNoticeOverdue } = proxyActivities<NoticeActivities>({
    startToCloseTimeout: '1 minute',
    retry: { maximumInterval: '10 minutes' },
  });
  let confirmed = false;
  setHandler(noticeConfirmedSignal, () => {
    confirmed = true;
  });
  /** True once confirmed, false when `at` came first. */
  const confirmedBefore = async (at: number): Promise<boolean> => {
    const wait = at - Date.now();
    return wait > 0 ? condition(() => confirmed, wait) : confirmed;
  };

  for (const [index, reminder] of input.reminders.entries()) {
    if (await confirmedBefore(reminder.at)) return { status: 'CONFIRMED', late: false };
    await remindFamily({ noticeId: input.noticeId, ordinal: index + 1, daysLeft: reminder.daysLeft });
  }
  if (await confirmedBefore(input.limitAt)) return { status: 'CONFIRMED', late: false };
  await markNoticeOverdue({ noticeId: input.noticeId });
  if (await confirmedBefore(input.limitAt + input.followAfterLimitMs)) return { status: 'CONFIRMED', late: true };
  return { status: 'UNCONFIRMED' };
}
