import { randomUUID } from 'node:crypto';
import type { ActivityDependencies } from '.';

/** What the supervisors' webhook receives: codes and times only, no personal data. */
export interface EscalationNotice {
  dossierNumber: string;
  procedureGroup: string;
  level: number;
  provinceCode: string;
  communeCode: string;
  dueAt: string;
  openSteps: { step: string; agency: string; status: string }[];
}

/** A dossier past its deadline: recorded once per level, then announced to the configured webhook. */
export function createEscalationActivities({ db, escalationWebhook, logger }: ActivityDependencies) {
  return {
    async escalate({ dossierId, level }: { dossierId: string; level: number }): Promise<void> {
      const now = new Date();
      await db.$transaction(async (tx) => {
        const recorded = await tx.escalation.findUnique({ where: { dossierId_level: { dossierId, level } } });
        if (recorded) return; // a retried attempt
        await tx.escalation.create({ data: { id: randomUUID(), dossierId, level, at: now } });
        const dossier = await tx.dossier.findUniqueOrThrow({ where: { id: dossierId }, select: { overdueSince: true, escalationLevel: true } });
        await tx.dossier.update({
          where: { id: dossierId },
          data: { overdueSince: dossier.overdueSince ?? now, escalationLevel: Math.max(level, dossier.escalationLevel) },
        });
        await tx.dossierEvent.create({ data: { dossierId, type: 'ESCALATED', detail: { level } } });
      });
      if (!escalationWebhook) return;
      const escalation = await db.escalation.findUniqueOrThrow({
        where: { dossierId_level: { dossierId, level } },
        include: { dossier: { include: { steps: { where: { status: { in: ['RUNNING', 'WAITING_FOR_SUPPLEMENT', 'INCIDENT'] } } } } } },
      });
      if (escalation.deliveredAt) return;
      const { dossier } = escalation;
      const notice: EscalationNotice = {
        dossierNumber: dossier.dossierNumber,
        procedureGroup: dossier.procedureGroup,
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
      logger.info({ dossierNumber: dossier.dossierNumber, level }, 'escalation delivered');
    },
  };
}
