import { randomUUID } from 'node:crypto';
import type { StepCode } from '../domain/procedures';
import type { GroupOutcome } from '../runtime/metrics';
import type { GroupOutcomeStatus, IncidentDecision } from '../workflows/contract';
import type { ActivityDependencies } from '.';
import type { StepRef } from './steps';

const unfinished = ['PENDING', 'RUNNING', 'WAITING_FOR_SUPPLEMENT', 'INCIDENT'] as const;

/** Records what the workflow decided, so the read model tells the same story as Temporal. */
export function createBookkeepingActivities({ db, calendar, metrics }: ActivityDependencies) {
  const event = (dossierId: string, type: string, step: StepCode | null, detail: object = {}) =>
    db.dossierEvent.create({ data: { dossierId, type, step, detail } });

  return {
    async recordStepOutcome({
      dossierId,
      step,
      status,
      refusalCode,
    }: StepRef & { status: 'BLOCKED' | 'SKIPPED' | 'REFUSED' | 'COMPENSATION_SKIPPED'; refusalCode?: string }): Promise<void> {
      await db.$transaction([
        db.dossierStep.update({
          where: { dossierId_step: { dossierId, step } },
          data: { status, finishedAt: new Date(), ...(refusalCode ? { refusalCode } : {}) },
        }),
        event(dossierId, `STEP_${status}`, step, refusalCode ? { refusalCode } : {}),
      ]);
    },

    /** The supplement period runs in working days from the request (`requestedAt`: workflow time). */
    async openSupplementRequest({
      dossierId,
      step,
      reason,
      periodWorkingDays,
      requestedAt,
    }: StepRef & { reason: string; periodWorkingDays: number; requestedAt: number }): Promise<{ dueAt: number }> {
      const dueAt = calendar.dueAt(new Date(requestedAt), periodWorkingDays);
      await db.$transaction([
        db.dossierStep.update({
          where: { dossierId_step: { dossierId, step } },
          data: { status: 'WAITING_FOR_SUPPLEMENT', supplementReason: reason, supplementDueAt: dueAt },
        }),
        event(dossierId, 'SUPPLEMENT_REQUESTED', step, { dueAt: dueAt.toISOString() }),
      ]);
      return { dueAt: dueAt.getTime() };
    },

    /** New documents make the next call a new request to the agency (a new idempotency key). */
    async recordSupplementReceived({ dossierId, step, documents }: StepRef & { documents: string[] }): Promise<void> {
      await db.$transaction([
        db.dossierStep.update({
          where: { dossierId_step: { dossierId, step } },
          data: { status: 'RUNNING', round: { increment: 1 }, supplementDocuments: { push: documents }, supplementDueAt: null },
        }),
        event(dossierId, 'SUPPLEMENT_RECEIVED', step, { documents: documents.length }),
      ]);
    },

    async openIncident({ dossierId, step, kind, error }: StepRef & { kind: 'STEP' | 'COMPENSATION'; error: string }): Promise<void> {
      const current = await db.dossierStep.findUniqueOrThrow({ where: { dossierId_step: { dossierId, step } } });
      const open = await db.incident.findFirst({ where: { dossierId, step, kind, status: 'OPEN' } });
      if (open) return; // a retried activity: the incident is already recorded
      await db.$transaction([
        db.incident.create({ data: { id: randomUUID(), dossierId, step, agency: current.agency, kind, lastError: error } }),
        ...(kind === 'STEP' ? [db.dossierStep.update({ where: { id: current.id }, data: { status: 'INCIDENT', lastError: error } })] : []),
        event(dossierId, 'INCIDENT_OPENED', step, { kind }),
      ]);
    },

    async closeIncident({ dossierId, step, decision }: StepRef & { decision: IncidentDecision }): Promise<void> {
      await db.$transaction([
        db.incident.updateMany({ where: { dossierId, step, status: 'OPEN' }, data: { status: 'RESOLVED', resolvedAt: new Date(), decision } }),
        event(dossierId, 'INCIDENT_RESOLVED', step, { decision }),
      ]);
    },

    /** Ends the dossier; a stopped group also closes every step that never finished. */
    async recordGroupOutcome({ dossierId, status, reason }: { dossierId: string; status: GroupOutcomeStatus; reason?: string }): Promise<void> {
      const stopped = status === 'WITHDRAWN' || status === 'CANCELLED';
      await db.$transaction([
        db.dossier.update({ where: { id: dossierId }, data: { status, completedAt: new Date(), ...(reason ? { stopReason: reason } : {}) } }),
        ...(stopped
          ? [
              db.dossierStep.updateMany({ where: { dossierId, status: { in: [...unfinished] } }, data: { status: 'CANCELLED', finishedAt: new Date() } }),
              // Tasks still in an inbox: no officer may decide them any more.
              db.agencyTask.updateMany({ where: { dossierId, status: { in: ['OPEN', 'CLAIMED'] } }, data: { status: 'CANCELLED' } }),
            ]
          : []),
        event(dossierId, 'GROUP_ENDED', null, { status }),
      ]);
      const { procedureGroup } = await db.dossier.findUniqueOrThrow({ where: { id: dossierId }, select: { procedureGroup: true } });
      metrics.countGroupOutcome({ procedureGroup, outcome: status.toLowerCase() as GroupOutcome });
    },
  };
}
