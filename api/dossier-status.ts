import { z } from 'zod';
import { contactSchema, notificationChannels, notificationRecipient } from '../domain/intake/common';
import { maskedAddress } from '../domain/notification-contract';
import { dossierNotificationEvents } from '../domain/notification-templates';
import { procedureGroups, stepDefinition, type ProcedureGroup, type StepCode } from '../domain/procedures';
import { dossierStatuses, stepStatuses, taskKinds, taskStatuses } from '../domain/statuses';
import { stepModes } from '../domain/step-modes';
import type { AgencyTask, CitizenNotification } from '../prisma/generated/client';
import type { WorkingCalendar } from '../domain/working-days';
import type { Database } from '../runtime/database';
import { appointmentAt, appointmentChangesInclude, staffAppointmentChangeSchema, staffAppointmentChangeView } from './appointment-view';
import { iso, timestamp } from './schemas';
import { stoppingOf, stoppingSchema } from './stopping-dossiers';

export const stepStatusSchema = z.object({
  step: z.string(),
  title: z.string(),
  agency: z.string(),
  status: z.enum(stepStatuses),
  mode: z.enum(stepModes),
  /** For a manual step: its latest task in the agency's inbox (UNDO: undoing the act), who holds it and since when. */
  task: z
    .object({
      kind: z.enum(taskKinds),
      status: z.enum(taskStatuses),
      claimedBy: z.string().nullable(),
      claimedAt: timestamp,
      dueAt: z.iso.datetime(),
      completedBy: z.string().nullable(),
      completedAt: timestamp,
    })
    .nullable(),
  attempts: z.number().int(),
  result: z.record(z.string(), z.unknown()).nullable(),
  refusal: z.object({ code: z.string(), reason: z.string().nullable() }).nullable(),
  supplement: z.object({ reason: z.string().nullable(), dueAt: timestamp, documents: z.number().int() }).nullable(),
  compensation: z.object({ compensatedAt: timestamp, reference: z.string().nullable() }).nullable(),
  lastError: z.string().nullable(),
  startedAt: timestamp,
  /** The agency's deadline for the step (working days from its start). */
  dueAt: timestamp,
  overdue: z.boolean(),
  /** Working days from today to the step's deadline while it is open (negative: that many late); null once finished. */
  workingDaysLeft: z.number().int().nullable(),
  finishedAt: timestamp,
});

/** One announcement to the citizen, as staff follow it: what, on which step, by which channel, whether sent. */
export const announcementViewSchema = z.object({
  event: z.enum(dossierNotificationEvents),
  /** The step announced; null for the group's end. */
  step: z.string().nullable(),
  /** Null when SKIPPED: the intake gave no contact. */
  channel: z.enum(notificationChannels).nullable(),
  recipient: z.string().nullable().describe('The address, masked (••••5678, m•••@example.vn): never in full'),
  status: z.enum(['PENDING', 'DELIVERED', 'FAILED', 'SKIPPED']),
  attempts: z.number().int(),
  recordedAt: z.iso.datetime(),
  deliveredAt: timestamp,
});

export const dossierStatusSchema = z.object({
  dossierId: z.uuid(),
  dossierNumber: z.string(),
  procedureGroup: z.enum(procedureGroups),
  status: z.enum(dossierStatuses),
  jurisdiction: z.object({ provinceCode: z.string(), communeCode: z.string() }),
  currentSteps: z.array(z.string()),
  receivedAt: z.iso.datetime(),
  completedAt: timestamp,
  dueAt: z.iso.datetime(),
  appointmentAt: z.iso.datetime().describe('The date promised to the citizen: the deadline, or the latest apology\'s new date'),
  /** Apologies for lateness and the verification extension, oldest first. */
  appointmentChanges: z.array(staffAppointmentChangeSchema),
  /** Past its deadline and not ended (or ended after it). */
  overdue: z.boolean(),
  /** Working days from today to the group's deadline while it runs (negative: that many late); null once ended. */
  workingDaysLeft: z.number().int().nullable(),
  /** 0 until escalated; 1 at the deadline, 2 at the later threshold. */
  escalationLevel: z.number().int(),
  stopReason: z.string().nullable(),
  stopping: stoppingSchema,
  /** When the citizen's current receipt code was issued; null: none yet (received before receipt codes). The code itself is never shown again. */
  receiptCodeIssuedAt: timestamp,
  workflowId: z.string(),
  temporalUiUrl: z.string().optional(),
  steps: z.array(stepStatusSchema),
  /** What the citizen was told, oldest first: for clerks and supervisors only (it names the contact, masked). */
  announcements: z.array(announcementViewSchema).optional(),
});
export type DossierStatusView = z.infer<typeof dossierStatusSchema>;

function taskView(task: AgencyTask | undefined) {
  if (!task) return null;
  return {
    kind: task.kind,
    status: task.status,
    claimedBy: task.claimedBy,
    claimedAt: iso(task.claimedAt),
    dueAt: task.dueAt.toISOString(),
    completedBy: task.completedBy,
    completedAt: iso(task.completedAt),
  };
}

/** Where the relay sends the dossier's announcements (from the intake's contact), or null: none given. */
function recipientOf(intake: unknown): { channel: (typeof notificationChannels)[number]; address: string } | null {
  const { contact, requester } = (intake ?? {}) as { contact?: unknown; requester?: { personalIdNumber?: string } };
  const parsed = contactSchema.safeParse(contact);
  if (!parsed.success) return null;
  try {
    return notificationRecipient(parsed.data, requester?.personalIdNumber ?? '');
  } catch {
    return null;
  }
}

/** The dossier's announcements as staff follow them, the address masked. */
function announcementViews(intake: unknown, rows: CitizenNotification[]): z.infer<typeof announcementViewSchema>[] {
  const recipient = recipientOf(intake);
  return rows.flatMap((row) => {
    const event = dossierNotificationEvents.find((e) => e === row.event);
    const addressed = row.status === 'SKIPPED' ? null : recipient;
    if (!event) return [];
    return [
      {
        event,
        step: row.step || null,
        channel: addressed?.channel ?? null,
        recipient: addressed ? maskedAddress(addressed.channel, addressed.address) : null,
        status: row.status,
        attempts: row.attempts,
        recordedAt: row.recordedAt.toISOString(),
        deliveredAt: iso(row.deliveredAt),
      },
    ];
  });
}

export interface StatusOptions {
  /** Whether to list the announcements to the citizen (clerks and supervisors). */
  announcements?: boolean;
  temporalUiUrl?: string | undefined;
  /** Counts the working days left; without it they are null. */
  calendar?: WorkingCalendar | undefined;
}

/** Served from the read model alone: answers while Temporal is down. */
export async function readDossierStatus(db: Database, dossierNumber: string, options: StatusOptions = {}): Promise<DossierStatusView | null> {
  const { temporalUiUrl, calendar } = options;
  const now = new Date();
  const daysLeft = (dueAt: Date | null, finishedAt: Date | null) => (calendar && dueAt && !finishedAt ? calendar.workingDaysBetween(now, dueAt) : null);
  const dossier = await db.dossier.findUnique({
    where: { dossierNumber },
    include: {
      steps: true,
      tasks: { orderBy: [{ round: 'desc' }, { createdAt: 'desc' }] },
      notifications: options.announcements ? { orderBy: { recordedAt: 'asc' } } : false,
      appointmentChanges: appointmentChangesInclude,
    },
  });
  if (!dossier) return null;
  const stopping = (await stoppingOf(db, [dossier.id])).get(dossier.id) ?? null;
  const group = dossier.procedureGroup as ProcedureGroup;
  const order = dossier.selectedSteps;
  const steps = [...dossier.steps].sort((a, b) => order.indexOf(a.step) - order.indexOf(b.step));
  return {
    dossierId: dossier.id,
    dossierNumber: dossier.dossierNumber,
    procedureGroup: group,
    status: dossier.status,
    jurisdiction: { provinceCode: dossier.provinceCode, communeCode: dossier.communeCode },
    currentSteps: steps.filter((s) => s.status === 'RUNNING').map((s) => s.step),
    receivedAt: dossier.receivedAt.toISOString(),
    completedAt: iso(dossier.completedAt),
    dueAt: dossier.dueAt.toISOString(),
    appointmentAt: appointmentAt(dossier).toISOString(),
    appointmentChanges: dossier.appointmentChanges.map(staffAppointmentChangeView),
    overdue: (dossier.completedAt ?? now) > dossier.dueAt,
    workingDaysLeft: daysLeft(dossier.dueAt, dossier.completedAt),
    escalationLevel: dossier.escalationLevel,
    stopReason: dossier.stopReason,
    stopping,
    receiptCodeIssuedAt: iso(dossier.receiptCodeIssuedAt),
    workflowId: dossier.workflowId,
    ...(temporalUiUrl ? { temporalUiUrl: `${temporalUiUrl}/workflows/${encodeURIComponent(dossier.workflowId)}` } : {}),
    steps: steps.map((s) => ({
      step: s.step,
      title: stepDefinition(group, s.step as StepCode, dossier.definitionVersion).title,
      agency: s.agency,
      status: s.status,
      mode: s.mode,
      task: taskView(dossier.tasks.find((t) => t.step === s.step)),
      attempts: s.attempts,
      result: (s.result as Record<string, unknown> | null) ?? null,
      refusal: s.refusalCode ? { code: s.refusalCode, reason: s.refusalReason } : null,
      supplement:
        s.supplementReason !== null
          ? { reason: s.supplementReason, dueAt: iso(s.supplementDueAt), documents: s.supplementDocuments.length }
          : null,
      compensation: s.compensatedAt
        ? { compensatedAt: iso(s.compensatedAt), reference: ((s.compensation as { reference?: string } | null)?.reference ?? null) }
        : null,
      lastError: s.lastError,
      startedAt: iso(s.startedAt),
      dueAt: iso(s.dueAt),
      overdue: s.dueAt !== null && (s.finishedAt ?? now) > s.dueAt,
      workingDaysLeft: daysLeft(s.dueAt, s.finishedAt),
      finishedAt: iso(s.finishedAt),
    })),
    ...(options.announcements ? { announcements: announcementViews(dossier.intake, dossier.notifications) } : {}),
  };
}
