import type { ActivityDependencies } from '.';
import { changeOnce } from './change-once';
import { recordNoticeNotification } from './citizen-notifications';

export interface NoticeReminder {
  noticeId: string;
  /** Which reminder of the notice this is (1, 2…): a retried activity records it once. */
  ordinal: number;
  daysLeft: number;
}

/** The bookkeeping of a notice's legal time limit, run by its workflow's timers. */
export function createNoticeActivities({ db, logger }: Pick<ActivityDependencies, 'db' | 'logger'>) {
  return {
    /**
     * Reminds the family of a draft still unconfirmed (nothing once they confirmed it): the row's count
     * and the announcement sent by the relay are one transaction, the announcement recorded only by the
     * attempt that counted the reminder, so a retry neither loses nor repeats it.
     */
    async remindFamily({ noticeId, ordinal, daysLeft }: NoticeReminder): Promise<{ reminded: boolean }> {
      const reminded = await changeOnce(
        db,
        (tx) =>
          tx.lifeEventNotice.updateMany({
            where: { id: noticeId, status: 'DRAFT', remindersSent: { lt: ordinal } },
            data: { remindersSent: ordinal, lastReminderAt: new Date() },
          }),
        (tx) => recordNoticeNotification(tx, { noticeId, event: 'NOTICE_REMINDER', round: ordinal }),
      );
      logger.info({ noticeId, ordinal, daysLeft, reminded }, 'notice reminder');
      return { reminded };
    },

    /**
     * The legal time limit passed with the draft unconfirmed: it is overdue in the supervisors' lists,
     * and the family is told that the registration, now late, is still taken.
     */
    async markNoticeOverdue({ noticeId }: { noticeId: string }): Promise<void> {
      const marked = await changeOnce(
        db,
        (tx) => tx.lifeEventNotice.updateMany({ where: { id: noticeId, status: 'DRAFT', overdueAt: null }, data: { overdueAt: new Date() } }),
        (tx) => recordNoticeNotification(tx, { noticeId, event: 'NOTICE_OVERDUE', round: 0 }),
      );
      if (marked) logger.warn({ noticeId }, 'notice past its legal time limit, still unconfirmed');
    },
  };
}

export type NoticeActivities = ReturnType<typeof createNoticeActivities>;
