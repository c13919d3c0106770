import { randomUUID } from 'node:crypto';
import { answerOwedStepStatuses, openTaskStatuses } from '../domain/statuses';
import type { AppointmentChanged, EscalationPoint } from '../workflows/contract';
import type { WorkingCalendar } from '../domain/working-days';
import { recordNotification } from './citizen-notifications';
import type { Transaction } from './change-once';
import type { ActivityDependencies } from '.';

export interface AppointmentChangeInput {
  dossierId: string;
  kind: 'APOLOGY' | 'VERIFICATION';
  ordinal: number;
  /** The agency responsible and its step; absent for the workflow's automatic apology (the late step's is taken). */
  agency?: string;
  step?: string;
  /** An officer's new date (epoch ms); absent: `workingDays` working days from now. */
  newDueAt?: number;
  reasonCode: string;
  reasonText?: string;
  issuedBy: string;
  automatic: boolean;
  /** APOLOGY: the automatic date's working days; VERIFICATION: the group's extended limit. */
  workingDays: number;
  /** VERIFICATION: the escalation points to move with the deadline. */
  escalations?: EscalationPoint[];
}

const announcedAs = { APOLOGY: 'APPOINTMENT_RESCHEDULED', VERIFICATION: 'VERIFICATION_EXTENDED' } as const;
const eventType = { APOLOGY: 'APOLOGY_ISSUED', VERIFICATION: 'VERIFICATION_DECLARED' } as const;

/** Each escalation level keeps its distance in working days from the deadline, now counted from the new one. */
function movedEscalations(calendar: WorkingCalendar, points: readonly EscalationPoint[], oldDue: Date, newDue: Date): EscalationPoint[] {
  return points.map(({ level, at }) => {
    const after = calendar.workingDaysBetween(oldDue, new Date(at));
    return { level, at: after > 0 ? calendar.dueAt(newDue, after).getTime() : newDue.getTime() + Math.max(0, at - oldDue.getTime()) };
  });
}

/**
 * Records an apology or a verification for the workflow that decided it, in one transaction: the
 * change's row, the dossier's new appointment (and, for a verification, its deadline and the declaring
 * agency's open steps and tasks, extended by the same working days), the timeline event and the
 * announcement to the citizen. Keyed by (dossier, kind, ordinal): a retried attempt finds its row and
 * answers what it recorded, nothing twice.
 */
export function createAppointmentActivities({ db, calendar, logger }: ActivityDependencies) {
  async function recorded(tx: Transaction, input: AppointmentChangeInput): Promise<AppointmentChanged | undefined> {
    const row = await tx.appointmentChange.findUnique({ where: { dossierId_kind_ordinal: { dossierId: input.dossierId, kind: input.kind, ordinal: input.ordinal } } });
    if (!row) return undefined;
    return {
      ordinal: row.ordinal,
      appointmentAt: row.newAt.getTime(),
      ...(input.kind === 'VERIFICATION' && input.escalations ? { escalations: movedEscalations(calendar, input.escalations, row.previousAt, row.newAt) } : {}),
    };
  }

  /** The late step's agency: the open step due first, else the group's first step. */
  async function responsible(tx: Transaction, dossierId: string): Promise<{ agency: string; step: string }> {
    const steps = await tx.dossierStep.findMany({ where: { dossierId }, orderBy: [{ dueAt: { sort: 'asc', nulls: 'last' } }, { step: 'asc' }] });
    const open = steps.find((s) => (answerOwedStepStatuses as readonly string[]).includes(s.status)) ?? steps[0];
    if (!open) throw new Error('the dossier has no steps');
    return { agency: open.agency, step: open.step };
  }

  /** The declaring agency's open steps and tasks get the extra working days too, so the sweep does not escalate them early. */
  async function extendAgencySteps(tx: Transaction, dossierId: string, agency: string, extra: number): Promise<void> {
    if (extra <= 0) return;
    const steps = await tx.dossierStep.findMany({ where: { dossierId, agency, status: { in: [...answerOwedStepStatuses] }, dueAt: { not: null } } });
    for (const step of steps) await tx.dossierStep.update({ where: { id: step.id }, data: { dueAt: calendar.dueAt(step.dueAt!, extra) } });
    const tasks = await tx.agencyTask.findMany({ where: { dossierId, agency, status: { in: [...openTaskStatuses] } } });
    for (const task of tasks) await tx.agencyTask.update({ where: { id: task.id }, data: { dueAt: calendar.dueAt(task.dueAt, extra) } });
  }

  return {
    async recordAppointmentChange(input: AppointmentChangeInput): Promise<AppointmentChanged> {
      return db.$transaction(async (tx) => {
        const before = await recorded(tx, input);
        if (before) return before;
        const dossier = await tx.dossier.findUniqueOrThrow({ where: { id: input.dossierId } });
        const previous = dossier.appointmentAt ?? dossier.dueAt;
        const { agency, step } = input.agency ? { agency: input.agency, step: input.step ?? null } : await responsible(tx, dossier.id);
        let newAt: Date;
        let escalations: EscalationPoint[] | undefined;
        if (input.kind === 'APOLOGY') {
          newAt = input.newDueAt !== undefined ? new Date(input.newDueAt) : calendar.dueAt(new Date(), input.workingDays);
          await tx.dossier.update({ where: { id: dossier.id }, data: { appointmentAt: newAt } });
        } else {
          const extended = calendar.dueAt(dossier.receivedAt, input.workingDays);
          const newDue = extended > dossier.dueAt ? extended : dossier.dueAt;
          newAt = newDue > previous ? newDue : previous;
          await tx.dossier.update({ where: { id: dossier.id }, data: { dueAt: newDue, ...(dossier.appointmentAt && dossier.appointmentAt <= newDue ? { appointmentAt: null } : {}) } });
          await extendAgencySteps(tx, dossier.id, agency, calendar.workingDaysBetween(dossier.dueAt, newDue));
          if (input.escalations) escalations = movedEscalations(calendar, input.escalations, dossier.dueAt, newDue);
        }
        await tx.appointmentChange.create({
          data: {
            id: randomUUID(),
            dossierId: dossier.id,
            kind: input.kind,
            ordinal: input.ordinal,
            agency,
            step,
            reasonCode: input.reasonCode,
            reasonText: input.reasonText ?? null,
            previousAt: previous,
            newAt,
            issuedBy: input.issuedBy,
            automatic: input.automatic,
          },
        });
        await tx.dossierEvent.create({
          data: {
            dossierId: dossier.id,
            type: eventType[input.kind],
            step,
            detail: { ordinal: input.ordinal, agency, reasonCode: input.reasonCode, previousAt: previous.toISOString(), newAt: newAt.toISOString(), automatic: input.automatic },
          },
        });
        await recordNotification(tx, { dossierId: dossier.id, event: announcedAs[input.kind], code: input.reasonCode, dueAt: newAt, round: input.ordinal });
        logger.info({ dossierNumber: dossier.dossierNumber, kind: input.kind, ordinal: input.ordinal, agency, automatic: input.automatic }, 'appointment changed');
        return { ordinal: input.ordinal, appointmentAt: newAt.getTime(), ...(escalations ? { escalations } : {}) };
      });
    },
  };
}
