import { randomUUID } from 'node:crypto';
import { noticeEventDate, noticeMismatches, noticePlace, noticeTimeline, type LifeEventNotice } from '../domain/life-events';
import type { Intake } from '../domain/intake';
import type { Principal } from '../domain/principal';
import { Prisma, type Database } from '../runtime/database';
import { noticeConfirmedSignal, noticeWorkflowIdFor, workflowTypes, type NoticeWorkflowInput } from '../workflows/contract';
import { audit } from './audit';
import { createOnce } from './create-once';
import { digest } from './canonical-json';
import type { IntakeDependencies, IntakeReceipt } from './dossier-intake';
import { ProblemError } from './problem';
import { recordSignals } from './signal-outbox';
import { startWorkflowOnce } from './temporal-calls';

type NoticeRow = Prisma.LifeEventNoticeGetPayload<object>;

/** After the legal limit, a draft is awaited this long before its workflow leaves it to the supervisors' lists. */
const followAfterLimitMs = 365 * 86_400_000;

export interface NoticeReceipt {
  notice: NoticeRow;
  created: boolean;
  /** False when Temporal was unavailable: the draft is recorded and its timers start automatically. */
  timersStarted: boolean;
}

/**
 * Records a health facility's notice as a draft at the commune desk of the mother's (or deceased's)
 * residence and starts its legal time limit. Idempotent on the facility and notice number: the same
 * notice again is the same draft; other content under a number already used is a conflict. The row is
 * the outbox of its workflow's start, as for an intake: with Temporal unavailable the draft is kept and
 * the intake reconciler starts the timers later.
 */
export async function receiveNotice(deps: IntakeDependencies, principal: Principal, notice: LifeEventNotice): Promise<NoticeReceipt> {
  const noticeDigest = digest(notice);
  const key = { facilityCode: notice.facility.code, noticeNumber: notice.noticeNumber };
  const { row, created } = await createOnce(
    () => deps.db.lifeEventNotice.findUnique({ where: { facilityCode_noticeNumber: key } }),
    () => {
      const id = randomUUID();
      const eventDate = noticeEventDate(notice);
      return deps.db.lifeEventNotice.create({
        data: {
          id,
          kind: notice.kind,
          ...key,
          issuerSubject: principal.subject,
          notice: notice as unknown as Prisma.InputJsonValue,
          noticeDigest,
          ...noticePlace(notice),
          eventDate: new Date(`${eventDate}T00:00:00Z`),
          limitAt: new Date(noticeTimeline(notice.kind, eventDate, Date.now()).limitAt),
          workflowId: noticeWorkflowIdFor(id),
        },
      });
    },
  );
  if (row.noticeDigest !== noticeDigest) {
    throw new ProblemError(409, 'Notice number already used', `notice ${notice.noticeNumber} of facility ${notice.facility.code} was sent with different content`, [
      { field: 'body.noticeNumber', reason: 'already used by another notice of this facility' },
    ]);
  }
  if (created) await audit(deps.db, principal, { action: 'notice.submit', detail: { noticeId: row.id, kind: row.kind } });
  const notStarted = await startNoticeWorkflow(deps, row);
  if (notStarted) deps.logger.warn({ err: notStarted.message, noticeId: row.id }, 'notice timers not started yet; the reconciler will start them');
  const timersStarted = notStarted === undefined;
  deps.logger.info({ noticeId: row.id, kind: row.kind, created, timersStarted }, 'notice received');
  return { notice: row, created, timersStarted };
}

/** Starts the notice's timers and records it; why Temporal did not take them, if it did not. Idempotent (fixed id, *use existing*). */
export async function startNoticeWorkflow(deps: IntakeDependencies, row: NoticeRow): Promise<Error | undefined> {
  if (row.workflowStartedAt) return undefined;
  const eventDate = row.eventDate.toISOString().slice(0, 10);
  const input: NoticeWorkflowInput = {
    noticeId: row.id,
    kind: row.kind as NoticeWorkflowInput['kind'],
    // From the stored limit, so a later start keeps the limit the notice was received with.
    limitAt: row.limitAt.getTime(),
    reminders: noticeTimeline(row.kind as NoticeWorkflowInput['kind'], eventDate, Date.now()).reminders,
    followAfterLimitMs,
  };
  const refused = await startWorkflowOnce(deps.temporal, workflowTypes.lifeEventNotice, { taskQueue: deps.config.TEMPORAL_TASK_QUEUE, workflowId: row.workflowId, args: [input] });
  if (refused) return refused;
  await deps.db.lifeEventNotice.updateMany({ where: { id: row.id, workflowStartedAt: null }, data: { workflowStartedAt: new Date() } });
  return undefined;
}

/**
 * Marks the draft confirmed as the dossier filed under its claimed number, and records the signal that
 * stops its timers, in one transaction; nothing if it was marked already.
 */
async function linkConfirmedDossier(db: Database, notice: Pick<NoticeRow, 'id' | 'workflowId'>, dossier: { id: string; dossierNumber: string }): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.lifeEventNotice.updateMany({
      where: { id: notice.id, status: 'DRAFT', confirmingDossierNumber: dossier.dossierNumber },
      data: { status: 'CONFIRMED', dossierId: dossier.id, confirmedAt: new Date() },
    });
    if (count > 0) {
      await recordSignals(tx, [{ workflowId: notice.workflowId, signal: noticeConfirmedSignal, arg: { dossierNumber: dossier.dossierNumber }, messageKey: `notice-confirmed/${notice.id}` }]);
    }
    return count > 0;
  });
}

/**
 * Finishes confirmations cut off between filing the dossier and marking its draft (a crash, the
 * database gone for a moment): a draft whose claimed number has a dossier is that dossier's. Run by
 * the intake reconciler; returns how many it finished.
 */
export async function finishInterruptedConfirmations(db: Database, olderThan: Date): Promise<number> {
  const cut = await db.$queryRaw<{ id: string; workflow_id: string; dossier_id: string; dossier_number: string }[]>`
    SELECT n.id, n.workflow_id, d.id AS dossier_id, d.dossier_number
    FROM life_event_notice n JOIN dossier d ON d.dossier_number = n.confirming_dossier_number
    WHERE n.status = 'DRAFT' AND d.created_at <= ${olderThan}
    LIMIT 50`;
  let finished = 0;
  for (const row of cut) {
    if (await linkConfirmedDossier(db, { id: row.id, workflowId: row.workflow_id }, { id: row.dossier_id, dossierNumber: row.dossier_number })) finished += 1;
  }
  return finished;
}

/**
 * The family confirms a draft at the desk: the completed intake becomes the ordinary group, linked to
 * its notice, and the notice's timers stop. The dossier number is claimed on the notice before the
 * dossier is written, so two desks (or a desk and its repeat) never make two dossiers of one notice;
 * a repeat under the same number answers as the first time, and a try cut off halfway is finished by
 * confirming again under its number (or by the reconciler, once its dossier exists). The link and the
 * signal to the notice's workflow are recorded in one transaction; the signal relay delivers it.
 */
export async function confirmNotice(
  deps: IntakeDependencies,
  notice: NoticeRow,
  intake: Intake,
  fileIntake: (intake: Intake) => Promise<IntakeReceipt>,
): Promise<IntakeReceipt> {
  const mismatches = noticeMismatches(notice.notice as unknown as LifeEventNotice, intake);
  if (mismatches.length) throw new ProblemError(422, "Does not match the facility's notice", `${mismatches.length} field(s) differ from notice ${notice.noticeNumber}`, mismatches);

  const number = intake.dossierNumber;
  // A draft free, or already held under this number (a repeat, or a try cut off halfway).
  const claimed = await deps.db.lifeEventNotice.updateMany({
    where: { id: notice.id, status: 'DRAFT', OR: [{ confirmingDossierNumber: null }, { confirmingDossierNumber: number }] },
    data: { confirmingDossierNumber: number },
  });
  if (claimed.count === 0) {
    const held = (await deps.db.lifeEventNotice.findUniqueOrThrow({ where: { id: notice.id } })).confirmingDossierNumber;
    // Confirmed under this very number: filed again below, it answers as the first time.
    if (held !== number) {
      throw new ProblemError(409, 'Notice confirmed under another number', `the draft is confirmed under dossier number ${held}`, [
        { field: 'body.dossierNumber', reason: `the notice is confirmed under dossier number ${held}` },
      ]);
    }
  }
  let receipt: IntakeReceipt;
  try {
    receipt = await fileIntake(intake);
  } catch (error) {
    // The number was refused (used by another intake) and no dossier holds it: the draft is free again.
    if (error instanceof ProblemError && error.status < 500) {
      await deps.db.$executeRaw`
        UPDATE life_event_notice SET confirming_dossier_number = NULL
        WHERE id = ${notice.id}::uuid AND status = 'DRAFT' AND confirming_dossier_number = ${number}
          AND NOT EXISTS (SELECT 1 FROM dossier WHERE dossier_number = ${number})`;
    }
    throw error;
  }
  await linkConfirmedDossier(deps.db, notice, { id: receipt.dossierId, dossierNumber: number });
  return receipt;
}

