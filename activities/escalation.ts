import { randomUUID } from 'node:crypto';
import { markOverdueSignal } from '../workflows/contract';
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

/** A dossier past its deadline: recorded once per level, then announced to the configured webhook. */
export function createEscalationActivities({ db, escalationWebhook, logger, temporal }: ActivityDependencies) {
  const activities = {
    async escalate({ dossierId, level, step = '' }: { dossierId: string; level: number; step?: string }): Promise<void> {
      const now = new Date();
      await db.$transaction(async (tx) => {
        const recorded = await tx.escalation.findUnique({ where: { dossierId_step_level: { dossierId, step, level } } });
        if (recorded) return; // a retried attempt
        await tx.escalation.create({ data: { id: randomUUID(), dossierId, step, level, at: now } });
        const dossier = await tx.dossier.findUniqueOrThrow({ where: { id: dossierId }, select: { overdueSince: true, escalationLevel: true } });
        await tx.dossier.update({
          where: { id: dossierId },
          data: { overdueSince: dossier.overdueSince ?? now, escalationLevel: Math.max(level, dossier.escalationLevel) },
        });
        await tx.dossierEvent.create({ data: { dossierId, type: 'ESCALATED', step: step || null, detail: { level } } });
      });
      if (!escalationWebhook) return;
      const escalation = await db.escalation.findUniqueOrThrow({
        where: { dossierId_step_level: { dossierId, step, level } },
        include: { dossier: { include: { steps: { where: { status: { in: ['RUNNING', 'WAITING_FOR_SUPPLEMENT', 'INCIDENT'] } } } } } },
      });
      if (escalation.deliveredAt) return;
      const { dossier } = escalation;
      const notice: EscalationNotice = {
        dossierNumber: dossier.dossierNumber,
        procedureGroup: dossier.procedureGroup,
        step: step || null,
        level,
        provinceCode: dossier.provinceCode,
        communeCode: dossier.communeCode,
        dueAt: dossier.dueAt.toISOString(),
        openSteps: dossier.steps.map((s) => ({ step: s.step, agency: s.agency, status: s.status })),
      };
      const response = await fetch(escalationWebhook.url, {
        method: 'POST',
        // The receiver may see the same escalation twice (a retry after a lost answer): this key tells.
        headers: { 'content-type': 'application/json', 'idempotency-key': escalation.id },
        body: JSON.stringify(notice),
        signal: AbortSignal.timeout(escalationWebhook.timeoutMs),
      });
      if (!response.ok) throw new Error(`escalation webhook answered HTTP ${response.status}`);
      await db.escalation.update({ where: { id: escalation.id }, data: { deliveredAt: new Date() } });
      logger.info({ dossierNumber: dossier.dossierNumber, step, level }, 'escalation delivered');
    },

    /**
     * The deadline sweep (run by a Temporal schedule): every step still with its agency after its
     * deadline is escalated once, and its dossier's workflow is told it is overdue. Escalations whose
     * announcement failed earlier are announced again. Bounded per run; the next run takes the rest.
     */
    async escalateOverdueSteps({ limit }: { limit: number }): Promise<{ escalated: number; failed: number }> {
      const late = await db.$queryRaw<{ dossier_id: string; step: string; workflow_id: string }[]>`
        SELECT s.dossier_id, s.step, d.workflow_id
        FROM dossier_step s JOIN dossier d ON d.id = s.dossier_id
        WHERE s.status IN ('RUNNING', 'INCIDENT') AND s.due_at < now()
          AND NOT EXISTS (SELECT 1 FROM escalation e WHERE e.dossier_id = s.dossier_id AND e.step = s.step
                          AND (e.delivered_at IS NOT NULL OR ${!escalationWebhook}))
        ORDER BY s.due_at
        LIMIT ${limit}`;
      let failed = 0;
      for (const { dossier_id: dossierId, step, workflow_id: workflowId } of late) {
        try {
          await activities.escalate({ dossierId, level: 1, step });
          await temporal?.workflow.getHandle(workflowId).signal(markOverdueSignal);
        } catch (error) {
          failed += 1;
          logger.warn({ step, err: (error as Error).message }, 'step escalation not completed; the next sweep retries');
        }
      }
      return { escalated: late.length - failed, failed };
    },
  };
  return activities;
}
