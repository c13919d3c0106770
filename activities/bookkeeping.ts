import { randomUUID } from 'node:crypto';
import type { StepCode } from '../domain/procedures';
import { openTaskStatuses, unfinishedStepStatuses } from '../domain/statuses';
import type { GroupOutcome } from '../runtime/metrics';
import type { GroupOutcomeStatus, IncidentDecision, IncidentKind } from '../workflows/contract';
import { changeOnce, type Transaction } from './change-once';
import { recordNotification } from './citizen-notifications';
import { stepDueAt } from './step-deadline';
import type { ActivityDependencies } from '.';
import type { StepRef } from './steps';

/** PostgreSQL cannot store U+0000 in text or jsonb: free text is stored without it, never refused mid-workflow. */
const storable = (text: string): string => text.replace(/\u0000/g, '');

/** Records what the workflow decided, so the read model tells the same story as Temporal. */
export function createBookkeepingActivities({ db, calendar, metrics }: ActivityDependencies) {
  const event = (tx: Transaction, dossierId: string, type: string, step: StepCode | null, detail: object = {}) =>
    tx.dossierEvent.create({ data: { dossierId, type, step, detail } });

  return {
    async recordStepOutcome({
      dossierId,
      step,
      status,
      refusalCode,
    }: StepRef & { status: 'BLOCKED' | 'SKIPPED' | 'REFUSED' | 'COMPENSATION_SKIPPED'; refusalCode?: string }): Promise<void> {
      await changeOnce(
        db,
        (tx) =>
          tx.dossierStep.updateMany({
            where: { dossierId, step, status: { not: status } },
            data: { status, finishedAt: new Date(), ...(refusalCode ? { refusalCode } : {}) },
          }),
        async (tx) => {
          await event(tx, dossierId, `STEP_${status}`, step, refusalCode ? { refusalCode } : {});
          // A refusal decided here (the supplement period ran out) is the citizen's news too.
          if (status === 'REFUSED') await recordNotification(tx, { dossierId, event: 'STEP_REFUSED', step, ...(refusalCode ? { code: refusalCode } : {}) });
        },
      );
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
      await changeOnce(
        db,
        // The agency's answer already made the step WAITING_FOR_SUPPLEMENT: a request already recorded
        // is told by its period, open until the supplement is received.
        (tx) =>
          tx.dossierStep.updateMany({
            where: { dossierId, step, supplementDueAt: null },
            data: { status: 'WAITING_FOR_SUPPLEMENT', supplementReason: storable(reason), supplementDueAt: dueAt },
          }),
        async (tx) => {
          await event(tx, dossierId, 'SUPPLEMENT_REQUESTED', step, { dueAt: dueAt.toISOString() });
          await recordNotification(tx, { dossierId, event: 'SUPPLEMENT_REQUESTED', step, dueAt });
        },
      );
      return { dueAt: dueAt.getTime() };
    },

    /**
     * New documents make the next call a new request to the agency (a new idempotency key). The
     * workflow names the round, so a retried write records it once; the agency's deadline for the
     * step restarts now: the citizen's time is not the agency's.
     */
    async recordSupplementReceived({ dossierId, step, documents, round }: StepRef & { documents: string[]; round?: number }): Promise<void> {
      if (round === undefined) {
        // Workflows started before rounds were named: the step still waiting tells the first attempt.
        await changeOnce(
          db,
          (tx) =>
            tx.dossierStep.updateMany({
              where: { dossierId, step, status: 'WAITING_FOR_SUPPLEMENT' },
              data: { status: 'RUNNING', round: { increment: 1 }, supplementDocuments: { push: documents }, supplementDueAt: null },
            }),
          (tx) => event(tx, dossierId, 'SUPPLEMENT_RECEIVED', step, { documents: documents.length }),
        );
        return;
      }
      const dossier = await db.dossier.findUniqueOrThrow({ where: { id: dossierId }, select: { procedureGroup: true, definitionVersion: true } });
      const resumedAt = new Date();
      await changeOnce(
        db,
        (tx) =>
          tx.dossierStep.updateMany({
            where: { dossierId, step, round: { lt: round } },
            data: { status: 'RUNNING', round, supplementDocuments: { push: documents }, supplementDueAt: null, dueAt: stepDueAt(calendar, dossier, step, resumedAt) },
          }),
        (tx) => event(tx, dossierId, 'SUPPLEMENT_RECEIVED', step, { documents: documents.length, round }),
      );
    },

    /** Records an incident under the id the workflow gave it (older workflows: one open per step and kind). */
    async openIncident({ dossierId, step, kind, error, incidentId }: StepRef & { kind: IncidentKind; error: string; incidentId?: string }): Promise<void> {
      const current = await db.dossierStep.findUniqueOrThrow({ where: { dossierId_step: { dossierId, step } } });
      const lastError = storable(error).slice(0, 2000);
      await changeOnce(
        db,
        async (tx) => {
          // Older workflows name no incident: one already open on the step, of the kind, is this one.
          if (!incidentId && (await tx.incident.count({ where: { dossierId, step, kind, status: 'OPEN' } })) > 0) return { count: 0 };
          // A retried attempt meets the incident it recorded under its id, and inserts nothing.
          return tx.incident.createMany({ data: [{ id: incidentId ?? randomUUID(), dossierId, step, agency: current.agency, kind, lastError }], skipDuplicates: true });
        },
        async (tx) => {
          if (kind === 'STEP') await tx.dossierStep.update({ where: { id: current.id }, data: { status: 'INCIDENT', lastError } });
          await event(tx, dossierId, 'INCIDENT_OPENED', step, { kind });
        },
      );
    },

    async closeIncident({ dossierId, step, decision, incidentId }: StepRef & { decision: IncidentDecision; incidentId?: string }): Promise<void> {
      await changeOnce(
        db,
        (tx) =>
          tx.incident.updateMany({
            where: { ...(incidentId ? { id: incidentId } : { dossierId, step }), status: 'OPEN' },
            data: { status: 'RESOLVED', resolvedAt: new Date(), decision },
          }),
        (tx) => event(tx, dossierId, 'INCIDENT_RESOLVED', step, { decision }),
      );
    },

    /** Ends the dossier; a stopped group also closes every step that never finished. */
    async recordGroupOutcome({ dossierId, status, reason }: { dossierId: string; status: GroupOutcomeStatus; reason?: string }): Promise<void> {
      const stopped = status === 'WITHDRAWN' || status === 'CANCELLED';
      const recorded = await changeOnce(
        db,
        // An ended dossier has its completion time: a retried attempt does not end it twice.
        (tx) =>
          tx.dossier.updateMany({
            where: { id: dossierId, completedAt: null },
            data: { status, completedAt: new Date(), ...(reason ? { stopReason: storable(reason) } : {}) },
          }),
        async (tx) => {
          // No decision will come for an incident still open when the group ends (a step parked when the
          // group was stopped): it no longer counts as open, nor is it picked by bulk decisions.
          await tx.incident.updateMany({ where: { dossierId, status: 'OPEN' }, data: { status: 'SUPERSEDED', resolvedAt: new Date() } });
          if (stopped) {
            await tx.dossierStep.updateMany({ where: { dossierId, status: { in: [...unfinishedStepStatuses] } }, data: { status: 'CANCELLED', finishedAt: new Date() } });
            // Acts still in an inbox: no officer may decide them any more (undo tasks are done by now,
            // and must never be cancelled: the act they undo would stand).
            await tx.agencyTask.updateMany({ where: { dossierId, kind: 'ACT', status: { in: [...openTaskStatuses] } }, data: { status: 'CANCELLED' } });
          }
          await event(tx, dossierId, 'GROUP_ENDED', null, { status });
          await recordNotification(tx, { dossierId, event: 'GROUP_ENDED', code: status });
        },
      );
      if (!recorded) return;
      const { procedureGroup } = await db.dossier.findUniqueOrThrow({ where: { id: dossierId }, select: { procedureGroup: true } });
      metrics.countGroupOutcome({ procedureGroup, outcome: status.toLowerCase() as GroupOutcome });
    },
  };
}
