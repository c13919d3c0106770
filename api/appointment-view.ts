import { z } from 'zod';
import { appointmentChangeKinds } from '../domain/appointment-changes';
import type { AppointmentChange } from '../prisma/generated/client';

/**
 * The appointment as the citizen and staff see it (Nghị định 63 Điều 7.2–7.3): the date promised now
 * (the deadline, or an apology's new date), and each apology or verification that moved it. The
 * citizen's view has codes and dates only (the console names the reason); staff also see the agency,
 * who issued it and the officer's own words.
 */
export const appointmentChangeSchema = z.object({
  kind: z.enum(appointmentChangeKinds),
  ordinal: z.number().int(),
  reasonCode: z.string().describe('A code of the lateness or verification catalogue (domain/appointment-changes.ts)'),
  previousAt: z.iso.datetime(),
  appointmentAt: z.iso.datetime().describe('The new appointment date'),
  issuedAt: z.iso.datetime(),
  automatic: z.boolean().describe('Issued by the system because no officer apologised in time'),
});
export const staffAppointmentChangeSchema = appointmentChangeSchema.extend({
  agency: z.string(),
  step: z.string().nullable(),
  issuedBy: z.string(),
  reasonText: z.string().nullable(),
});

/** The date promised to the citizen now. */
export const appointmentAt = (dossier: { dueAt: Date; appointmentAt: Date | null }): Date => dossier.appointmentAt ?? dossier.dueAt;

/** Oldest first, as the citizen was told. */
export const appointmentChangesInclude = { orderBy: [{ issuedAt: 'asc' as const }, { ordinal: 'asc' as const }] };

export function appointmentChangeView(change: AppointmentChange): z.infer<typeof appointmentChangeSchema> {
  return {
    kind: change.kind,
    ordinal: change.ordinal,
    reasonCode: change.reasonCode,
    previousAt: change.previousAt.toISOString(),
    appointmentAt: change.newAt.toISOString(),
    issuedAt: change.issuedAt.toISOString(),
    automatic: change.automatic,
  };
}

export function staffAppointmentChangeView(change: AppointmentChange): z.infer<typeof staffAppointmentChangeSchema> {
  return { ...appointmentChangeView(change), agency: change.agency, step: change.step, issuedBy: change.issuedBy, reasonText: change.reasonText };
}
