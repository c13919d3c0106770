import { noticeFamilyPhone } from '../activities/citizen-notifications';
import { contactSchema, notificationRecipient } from '../domain/intake/common';
import type { NoticeKind } from '../domain/life-events';
import type { NotificationMessage } from '../domain/notification-contract';
import { isNoticeEvent, renderAnnouncement, type NotificationEvent } from '../domain/notification-templates';
import type { ProcedureGroup, StepCode } from '../domain/procedures';
import { forEachBounded } from '../runtime/bounded';
import type { Database } from '../runtime/database';
import type { Logger } from '../runtime/logger';
import { runPeriodically, type PeriodicJob } from '../runtime/periodic';
import { NotificationNotSent, type NotificationGateway } from './notification-gateway';

export interface NotificationRelayDependencies {
  db: Database;
  gateway: NotificationGateway;
  logger: Logger;
}

export interface NotificationRelayOptions {
  /** Attempts before an announcement is given up as FAILED (counted in /metrics). */
  maxAttempts: number;
  /** Wait before the second attempt, doubling up to `retryMaxMs`. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** Messages sent at once: hides the gateway's round trip without flooding it. */
  concurrency?: number;
  /** Rows claimed per transaction. */
  batchSize?: number;
}

/** A row due, with what addresses it: its dossier's columns, or its notice's (the other side is null). */
interface DueRow {
  id: string;
  event: NotificationEvent;
  step: string;
  code: string | null;
  due_at: Date | null;
  attempts: number;
  recorded_at: Date;
  dossier_number: string | null;
  procedure_group: ProcedureGroup | null;
  definition_version: number | null;
  contact: unknown;
  requester_id: string | null;
  notice_kind: NoticeKind | null;
  notice_number: string | null;
  notice_phone: string | null;
}

type Attempt = { id: string; sent: true } | { id: string; sent: false; error: string; permanent: boolean; attempts: number };

/**
 * Sends the announcements that are due, oldest first, and marks each. Rows are claimed with `FOR UPDATE
 * SKIP LOCKED` in a transaction held until they are marked, so several workers share the work and a
 * worker killed between sending and marking leaves its rows to be sent again — under the same
 * Idempotency-Key (the row's id), which the gateway dedupes: the citizen gets each message once. A
 * failed send is retried with exponential backoff, then marked FAILED. Returns how many were delivered.
 */
export async function deliverPendingNotifications(deps: NotificationRelayDependencies, options: NotificationRelayOptions): Promise<number> {
  const batchSize = options.batchSize ?? 50;
  let delivered = 0;
  for (;;) {
    const batch = await deps.db.$transaction(
      async (tx) => {
        // A reminder still waiting when the family confirmed the draft has nothing left to remind.
        await tx.$executeRaw`
          UPDATE citizen_notification n SET status = 'SKIPPED'
          FROM life_event_notice l
          WHERE n.notice_id = l.id AND n.status = 'PENDING' AND l.status = 'CONFIRMED'`;
        const due = await tx.$queryRaw<DueRow[]>`
          SELECT n.id, n.event, n.step, n.code, n.due_at, n.attempts, n.recorded_at, d.dossier_number, d.procedure_group, d.definition_version,
                 d.intake -> 'contact' AS contact, d.intake #>> '{requester,personalIdNumber}' AS requester_id,
                 l.kind AS notice_kind, l.notice_number, ${noticeFamilyPhone} AS notice_phone
          FROM citizen_notification n
          LEFT JOIN dossier d ON d.id = n.dossier_id
          LEFT JOIN life_event_notice l ON l.id = n.notice_id
          WHERE n.status = 'PENDING' AND n.next_attempt_at <= now()
          ORDER BY n.next_attempt_at
          LIMIT ${batchSize}
          FOR UPDATE OF n SKIP LOCKED`;
        const attempts: Attempt[] = [];
        await forEachBounded(due, options.concurrency ?? 8, async (row) => void attempts.push(await send(deps.gateway, row)));
        const sent = attempts.filter((a) => a.sent).map((a) => a.id);
        if (sent.length) {
          await tx.$executeRaw`UPDATE citizen_notification SET status = 'DELIVERED', delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY(${sent}::uuid[])`;
        }
        for (const failure of attempts) {
          if (failure.sent) continue;
          const givenUp = failure.permanent || failure.attempts >= options.maxAttempts;
          const delayMs = Math.min(options.retryMaxMs, options.retryInitialMs * 2 ** (failure.attempts - 1));
          await tx.$executeRaw`
            UPDATE citizen_notification
            SET attempts = ${failure.attempts}, last_error = ${failure.error},
                status = ${givenUp ? 'FAILED' : 'PENDING'}::"CitizenNotificationStatus",
                next_attempt_at = now() + ${delayMs} * interval '1 millisecond'
            WHERE id = ${failure.id}::uuid`;
          if (givenUp) deps.logger.warn({ notificationId: failure.id, attempts: failure.attempts, err: failure.error }, 'announcement to the citizen given up');
        }
        return { claimed: due.length, sent: sent.length };
      },
      // Each message waits at most the gateway timeout; the rows stay locked (and unsent elsewhere) meanwhile.
      { timeout: 5 * 60_000, maxWait: 10_000 },
    );
    delivered += batch.sent;
    // A short batch is the last one; a batch with nothing sent means the gateway is down: try later.
    if (batch.claimed < batchSize || batch.sent === 0) return delivered;
  }
}

/** The message of a row: a notice's family by SMS to the facility's phone, a dossier's requester by its contact. */
function messageOf(row: DueRow): NotificationMessage {
  if (row.notice_kind) {
    if (!row.notice_phone || !row.notice_number || !row.due_at || !isNoticeEvent(row.event)) throw new Error('notice announcement incomplete');
    const text = renderAnnouncement({ event: row.event, kind: row.notice_kind, noticeNumber: row.notice_number, limitAt: row.due_at, recordedAt: row.recorded_at });
    return { channel: 'SMS', to: row.notice_phone, ...text };
  }
  if (!row.dossier_number || !row.procedure_group || isNoticeEvent(row.event)) throw new Error('dossier announcement incomplete');
  const recipient = notificationRecipient(contactSchema.parse(row.contact), row.requester_id ?? '');
  const text = renderAnnouncement({
    event: row.event,
    dossierNumber: row.dossier_number,
    group: row.procedure_group,
    ...(row.definition_version === null ? {} : { definitionVersion: row.definition_version }),
    ...(row.step ? { step: row.step as StepCode } : {}),
    code: row.code,
    dueAt: row.due_at,
  });
  return { channel: recipient.channel, to: recipient.address, ...text };
}

async function send(gateway: NotificationGateway, row: DueRow): Promise<Attempt> {
  const attempts = row.attempts + 1;
  let message;
  try {
    message = messageOf(row);
  } catch {
    // Nothing to send it to, or nothing to say: no retry will change that. Never the contact in the error.
    return { id: row.id, sent: false, error: 'announcement could not be addressed or rendered', permanent: true, attempts };
  }
  try {
    await gateway.send(message, row.id);
    return { id: row.id, sent: true };
  } catch (error) {
    const permanent = error instanceof NotificationNotSent && error.permanent;
    return { id: row.id, sent: false, error: error instanceof NotificationNotSent ? error.message : 'gateway call failed', permanent, attempts };
  }
}

/**
 * The worker runs the relay: it is the process that records most announcements (in its activities)
 * and already talks to outside systems, so only workers need a route to the gateways, not the
 * public-facing API. Every second; several workers share the rows (SKIP LOCKED).
 */
export function runNotificationRelay(deps: NotificationRelayDependencies, options: NotificationRelayOptions & { intervalMs?: number }): PeriodicJob {
  return runPeriodically(() => deliverPendingNotifications(deps, options), options.intervalMs ?? 1_000, (error) =>
    deps.logger.warn({ err: error.message }, 'notification relay run failed'),
  );
}
