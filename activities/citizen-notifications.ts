import type { NotificationEvent, NoticeAnnouncement } from '../domain/notification-templates';
import { Prisma, type Database } from '../runtime/database';

/** PENDING for a dossier `d` whose intake gives a contact, SKIPPED otherwise. */
const statusByContact = Prisma.sql`(CASE WHEN jsonb_typeof(d.intake -> 'contact') = 'object' THEN 'PENDING' ELSE 'SKIPPED' END)::"CitizenNotificationStatus"`;

/**
 * The same record as the last clause of a statement that has just written a step's outcome in a CTE
 * named `done` (returning its `dossier_id` and `round`): the outcome, its event and its announcement
 * in one statement, one round trip.
 */
export function announcedStep(event: NotificationEvent, step: string, code: string | null): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO citizen_notification (dossier_id, event, step, round, code, status)
    SELECT d.id, ${event}::"CitizenNotificationEvent", ${step}, done.round, ${code}::text, ${statusByContact}
    FROM done JOIN dossier d ON d.id = done.dossier_id
    ON CONFLICT (dossier_id, event, step, round) DO NOTHING`;
}

export interface NotificationRecord {
  dossierId: string;
  event: Exclude<NotificationEvent, NoticeAnnouncement['event']>;
  /** The step announced; absent for the group's end. */
  step?: string;
  /** The refusal code or the group's outcome: a code, never free text. */
  code?: string;
  dueAt?: Date;
  /** The announcement's own number (an apology's); default: the step's round. */
  round?: number;
}

/**
 * Records an announcement to the citizen; run it in the transaction of the state change it announces
 * (after the step's own writes: it reads the step's round), so the two are committed together or not
 * at all. Keyed by (dossier, event, step, round): a retried activity records nothing twice. A dossier
 * whose intake has no contact gets a SKIPPED row: not an error, and the timeline can say why nothing
 * was sent. One statement, whatever the dossier: the intake is never read into the process here.
 */
export function recordNotification(db: Pick<Database | Prisma.TransactionClient, '$executeRaw'>, n: NotificationRecord) {
  const step = n.step ?? '';
  return db.$executeRaw`
    INSERT INTO citizen_notification (dossier_id, event, step, round, code, due_at, status)
    SELECT d.id, ${n.event}::"CitizenNotificationEvent", ${step}, COALESCE(${n.round ?? null}::int, s.round, 0), ${n.code ?? null}::text, ${n.dueAt ?? null}::timestamptz, ${statusByContact}
    FROM dossier d LEFT JOIN dossier_step s ON s.dossier_id = d.id AND s.step = ${step}
    WHERE d.id = ${n.dossierId}::uuid
    ON CONFLICT (dossier_id, event, step, round) DO NOTHING`;
}

/**
 * The phone a notice's family is reached at: the mother's on a birth notice, the informant's on a death
 * notice (both optional). One definition for the recording and the relay, over `life_event_notice l`.
 */
export const noticeFamilyPhone = Prisma.sql`COALESCE(l.notice #>> '{mother,phone}', l.notice ->> 'informantPhone')`;

export interface NoticeNotificationRecord {
  noticeId: string;
  event: NoticeAnnouncement['event'];
  /** The reminder's ordinal (1, 2…); 0 for the limit reached. */
  round: number;
}

/**
 * Records an announcement to a notice's family, in the transaction of the notice's own update. Only
 * while the draft is unconfirmed (after, the dossier's announcements take over); keyed by (notice,
 * event, round), so a retried activity records nothing twice; SKIPPED when the facility gave no phone.
 * The row holds the limit, not the phone: the relay reads the phone from the notice when it sends.
 */
export function recordNoticeNotification(db: Pick<Database | Prisma.TransactionClient, '$executeRaw'>, n: NoticeNotificationRecord) {
  return db.$executeRaw`
    INSERT INTO citizen_notification (notice_id, event, round, due_at, status)
    SELECT l.id, ${n.event}::"CitizenNotificationEvent", ${n.round}, l.limit_at,
           (CASE WHEN ${noticeFamilyPhone} IS NOT NULL THEN 'PENDING' ELSE 'SKIPPED' END)::"CitizenNotificationStatus"
    FROM life_event_notice l
    WHERE l.id = ${n.noticeId}::uuid AND l.status = 'DRAFT'
    ON CONFLICT (notice_id, event, round) DO NOTHING`;
}
