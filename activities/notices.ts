import type { ActivityDependencies } from '.';

export interface NoticeReminder {
  noticeId: string;
  /** Which reminder of the notice this is (1, 2…): a retried activity records it once. */
  ordinal: number;
  daysLeft: number;
}

/** The bookkeeping of a notice's legal time limit, run by its workflow's timers. */
export function createNoticeActivities({ db, logger }: Pick<ActivityDependencies, 'db' | 'logger'>) {
  return {
    /** Records a reminder of a draft still unconfirmed; nothing once the family confirmed it. */
    async remindFamily({ noticeId, ordinal, daysLeft }: NoticeReminder): Promise<{ reminded: boolean }> {
      const { count } = await db.lifeEventNotice.updateMany({
        where: { id: noticeId, status: 'DRAFT', remindersSent: { lt: ordinal } },
        data: { remindersSent: ordinal, lastReminderAt: new Date() },
      });
      logger.info({ noticeId, ordinal, daysLeft, reminded: count > 0 }, 'notice reminder');
      return { reminded: count > 0 };
    },

    /** The legal time limit passed with the draft unconfirmed: it is overdue in the supervisors' lists. */
    async markNoticeOverdue({ noticeId }: { noticeId: string }): Promise<void> {
      const { count } = await db.lifeEventNotice.updateMany({ where: { id: noticeId, status: 'DRAFT', overdueAt: null }, data: { overdueAt: new Date() } });
      if (count > 0) logger.warn({ noticeId }, 'notice past its legal time limit, still unconfirmed');
    },
  };
}

export type NoticeActivities = ReturnType<typeof createNoticeActivities>;
