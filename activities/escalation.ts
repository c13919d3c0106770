import { randomUUID } from 'node:crypto';
import { answerOwedStepStatuses, openStepStatuses } from '../domain/statuses';
import { Prisma, sqlLiterals } from '../runtime/database';
import { givenUpAt, nextAttemptAt } from '../runtime/outbox-retry';
import { markOverdueSignal } from '../workflows/contract';
import { changeOnce } from './change-once';
import type { ActivityDependencies } from '.';

/** What the supervisors' webhook receives: codes and times only, no personal data. */
export interface EscalationNotice {
  dossierNumber: string;
  procedureGroup: string;
  /** The late step, or null when the group's own deadline passed. */
  step: string | null;
  level: number;
  provinceCode: string;
  communeCode: string;
  dueAt: string;
  openSteps: { step: string; agency: string; status: string }[];
}

type EscalationWebhook = NonNullable<ActivityDependencies['escalationWebhook']>;

/** A failed announcement waits a minute, doubling to an hour: the sweep that retries it runs every few minutes. */
const announcementBackoff = { initialSeconds: 60, maxSeconds: 3600 };
/** Announcements claimed and sent at once: hides the webhook's round trip without flooding it. */
const announcementsAtOnce = 8;
/** The sweep claims no more announcements after this, well inside its activity's timeout; the next run goes on. */
const announcementBudgetMs = 2 * 60_000;

interface ClaimedEscalation {
  id: string;
  dossier_id: string;
  step: string;
  level: number;
  /** Counting the attempt just claimed. */
  attempts: number;
}

type Announcement = 'delivered' | 'failed' | 'givenUp';

/**
 * A dossier past its deadline: recorded once per level, then announced to the configured webhook.
 * The escalation table is the announcements' outbox: tried once at once, then by the deadline sweep
 * with a doubling wait, the earliest due first, and given up after `maxAttempts`.
 */
export function createEscalationActivities({ db, escalationWebhook, logger, temporal }: ActivityDependencies) {
  async function record({ dossierId, level, step }: { dossierId: string; level: number; step: string }): Promise<void> {
    const now = new Date();
    await changeOnce(
      db,
      // One per dossier, step and level (unique): a retried attempt, or a sweep overlapping the workflow's own, inserts nothing.
      (tx) => tx.escalation.createMany({ data: [{ id: randomUUID(), dossierId, step, level, at: now }], skipDuplicates: true }),
      async (tx) => {
        const dossier = await tx.dossier.findUniqueOrThrow({ where: { id: dossierId }, select: { overdueSince: true, escalationLevel: true } });
        await tx.dossier.update({
          where: { id: dossierId },
          data: { overdueSince: dossier.overdueSince ?? now, escalationLevel: Math.max(level, dossier.escalationLevel) },
        });
        await tx.dossierEvent.create({ data: { dossierId, type: 'ESCALATED', step: step || null, detail: { level } } });
      },
    );
  }

  /**
   * Claims undelivered escalations that are due, the earliest due first (one never tried is due at
   * once). The claim counts the attempt and sets the next one's time before anything is sent: a crash
   * mid-send leaves the row to a later sweep, and two senders never take one row at once.
   */
  function claim(limit: number, which: Prisma.Sql = Prisma.sql`TRUE`): Promise<ClaimedEscalation[]> {
    return db.$queryRaw<ClaimedEscalation[]>`
      UPDATE escalation SET attempts = attempts + 1, next_attempt_at = ${nextAttemptAt(Prisma.sql`attempts`, announcementBackoff)}
      WHERE id IN (
        SELECT id FROM escalation
        WHERE delivered_at IS NULL AND given_up_at IS NULL AND (next_attempt_at <= now() OR attempts = 0) AND ${which}
        ORDER BY next_attempt_at, at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING id, dossier_id, step, level, attempts`;
  }

  /** POSTs one claimed escalation and marks it delivered, or keeps why not (given up after the last attempt). */
  async function announce(webhook: EscalationWebhook, row: ClaimedEscalation): Promise<Announcement> {
    const dossier = await db.dossier.findUniqueOrThrow({
      where: { id: row.dossier_id },
      include: { steps: { where: { status: { in: [...openStepStatuses] } } } },
    });
    const notice: EscalationNotice = {
      dossierNumber: dossier.dossierNumber,
      procedureGroup: dossier.procedureGroup,
      step: row.step || null,
      level: row.level,
      provinceCode: dossier.provinceCode,
      communeCode: dossier.communeCode,
      dueAt: dossier.dueAt.toISOString(),
      openSteps: dossier.steps.map((s) => ({ step: s.step, agency: s.agency, status: s.status })),
    };
    const logged = { dossierNumber: dossier.dossierNumber, step: notice.step, level: row.level, attempts: row.attempts };
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        // The receiver may see the same escalation twice (a retry after a lost answer): this key tells.
        headers: { 'content-type': 'application/json', 'idempotency-key': row.id },
        body: JSON.stringify(notice),
        signal: AbortSignal.timeout(webhook.timeoutMs),
      });
      if (!response.ok) throw new Error(`escalation webhook answered HTTP ${response.status}`);
    } catch (error) {
      const err = (error as Error).message;
      const [marked] = await db.$queryRaw<{ given_up_at: Date | null }[]>`
        UPDATE escalation SET last_error = ${err}, given_up_at = ${givenUpAt(Prisma.sql`attempts`, webhook.maxAttempts)}
        WHERE id = ${row.id}::uuid
        RETURNING given_up_at`;
      if (marked?.given_up_at) {
        logger.error({ ...logged, err }, 'escalation announcement given up');
        return 'givenUp';
      }
      logger.warn({ ...logged, err }, 'escalation not delivered; the deadline sweep tries again');
      return 'failed';
    }
    await db.escalation.update({ where: { id: row.id }, data: { deliveredAt: new Date(), lastError: null } });
    logger.info(logged, 'escalation delivered');
    return 'delivered';
  }

  /** Announces the due escalations, `announcementsAtOnce` at a time, up to `limit` or the time budget. */
  async function announceDue(webhook: EscalationWebhook, limit: number): Promise<Record<Announcement, number>> {
    const counts: Record<Announcement, number> = { delivered: 0, failed: 0, givenUp: 0 };
    const until = Date.now() + announcementBudgetMs;
    for (let left = limit; left > 0 && Date.now() < until; ) {
      const claimed = await claim(Math.min(left, announcementsAtOnce));
      for (const outcome of await Promise.all(claimed.map((row) => announce(webhook, row)))) counts[outcome] += 1;
      if (claimed.length < announcementsAtOnce) break;
      left -= claimed.length;
    }
    return counts;
  }

  const activities = {
    /**
     * Records the escalation and tries its announcement once. A failed announcement does not fail the
     * activity: the row keeps it, and the deadline sweep tries again after a wait.
     */
    async escalate({ dossierId, level, step = '' }: { dossierId: string; level: number; step?: string }): Promise<void> {
      await record({ dossierId, level, step });
      if (!escalationWebhook) return;
      const mine = Prisma.sql`dossier_id = ${dossierId}::uuid AND step = ${step} AND level = ${level}`;
      for (const row of await claim(1, mine)) await announce(escalationWebhook, row);
    },

    /**
     * The deadline sweep (run by a Temporal schedule): every step still with its agency after its
     * deadline is escalated once, and its dossier's workflow is told it is overdue. Then every
     * escalation whose announcement is due (new ones, failed ones whose wait is over, the workflows'
     * own whatever their retries did) is announced, the earliest due first. Bounded per run; the next
     * run takes the rest. `failed`: steps not escalated and announcements not delivered in this run.
     */
    async escalateOverdueSteps({ limit }: { limit: number }): Promise<{ escalated: number; failed: number }> {
      const late = await db.$queryRaw<{ dossier_id: string; step: string; workflow_id: string }[]>`
        SELECT s.dossier_id, s.step, d.workflow_id
        FROM dossier_step s JOIN dossier d ON d.id = s.dossier_id
        WHERE s.status IN (${sqlLiterals(answerOwedStepStatuses)}) AND s.due_at < now()
          AND NOT EXISTS (SELECT 1 FROM escalation e WHERE e.dossier_id = s.dossier_id AND e.step = s.step)
        ORDER BY s.due_at
        LIMIT ${limit}`;
      let failed = 0;
      for (const { dossier_id: dossierId, step, workflow_id: workflowId } of late) {
        try {
          await record({ dossierId, level: 1, step });
          await temporal?.workflow.getHandle(workflowId).signal(markOverdueSignal);
        } catch (error) {
          failed += 1;
          logger.warn({ step, err: (error as Error).message }, 'step escalation not completed');
        }
      }
      const { delivered, failed: notDelivered, givenUp } = escalationWebhook ? await announceDue(escalationWebhook, limit) : { delivered: 0, failed: 0, givenUp: 0 };
      const escalated = late.length - failed;
      if (late.length + delivered + notDelivered + givenUp > 0) logger.info({ escalated, failed, delivered, notDelivered, givenUp }, 'deadline sweep done');
      return { escalated, failed: failed + notDelivered + givenUp };
    },
  };
  return activities;
}
