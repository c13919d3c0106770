import type { NotificationEvent } from '../domain/notification-templates';
import type { Database, Prisma } from '../runtime/database';

export interface NotificationRecord {
  dossierId: string;
  event: NotificationEvent;
  /** The step announced; absent for the group's end. */
  step?: string;
  /** The refusal code or the group's outcome: a code, never free text. */
  code?: string;
  dueAt?: Date;
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
    SELECT d.id, ${n.event}::"CitizenNotificationEvent", ${step}, COALESCE(s.round, 0), ${n.code ?? null}::text, ${n.dueAt ?? null}::timestamptz,
           (CASE WHEN jsonb_typeof(d.intake -> 'contact') = 'object' THEN 'PENDING' ELSE 'SKIPPED' END)::"CitizenNotificationStatus"
    FROM dossier d LEFT JOIN dossier_step s ON s.dossier_id = d.id AND s.step = ${step}
    WHERE d.id = ${n.dossierId}::uuid
    ON CONFLICT (dossier_id, event, step, round) DO NOTHING`;
}
