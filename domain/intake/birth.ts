import { z } from 'zod';
import { isUnderSix, parseIsoDate } from '../age';
import type { StepCode } from '../procedures';
import {
  addressFields,
  checkPlace,
  contactSchema,
  dateOfBirthSchema,
  dossierNumberSchema,
  isCalendarDate,
  isoDate,
  jurisdictionSchema,
  name,
  parentSchema,
  requesterSchema,
  text,
  vietnamDate,
} from './common';

/** Group A: birth registration → personal ID number → permanent residence / child health insurance. */
export const birthIntakeSchema = z
  .object({
    group: z.literal('BIRTH'),
    dossierNumber: dossierNumberSchema.describe('Dossier code from the portal or the one-stop desk; the idempotency key'),
    jurisdiction: jurisdictionSchema.describe('The commune where the birth is registered'),
    receivedAt: z.iso.datetime({ offset: true }).optional().describe('When the desk received the complete dossier; defaults to now'),
    procedures: z
      .object({
        permanentResidence: z.boolean().default(false),
        healthInsurance: z.boolean().default(false),
      })
      .describe('Optional procedures joined to birth registration and the personal ID number'),
    child: z.object({
      fullName: name,
      sex: z.enum(['MALE', 'FEMALE']),
      dateOfBirth: dateOfBirthSchema,
      placeOfBirth: text,
      ethnicity: text,
      nationality: text,
      homeTown: text,
    }),
    mother: parentSchema.optional(),
    father: parentSchema.optional(),
    requester: requesterSchema,
    contact: contactSchema.optional(),
    birthCertificate: z.object({
      number: text.describe('Số giấy chứng sinh'),
      issuedBy: text.describe('Hospital or health facility'),
      issuedOn: isoDate,
    }),
    residence: addressFields.extend({ headOfHouseholdConsent: z.boolean() }).superRefine(checkPlace).optional(),
    healthInsurance: z.object({ initialFacilityCode: z.string().regex(/^\d{5}$/, 'expected a 5-digit facility code') }).optional(),
  })
  .superRefine((intake, ctx) => {
    if (!intake.mother && !intake.father) {
      ctx.addIssue({ code: 'custom', path: ['mother'], message: 'the mother or the father is required' });
    }
    if (intake.procedures.permanentResidence && !intake.residence) {
      ctx.addIssue({ code: 'custom', path: ['residence'], message: 'required when permanent residence is chosen' });
    }
    if (intake.procedures.healthInsurance) {
      if (!intake.healthInsurance) {
        ctx.addIssue({ code: 'custom', path: ['healthInsurance'], message: 'required when health insurance is chosen' });
      }
      // As of the receipt (stored with the dossier), so a child turning 6 while a step waits changes nothing.
      // On submission the API judges it again as of its own clock (see eligibilityInstant).
      const on = intake.receivedAt ? new Date(intake.receivedAt) : new Date();
      if (isCalendarDate(intake.child.dateOfBirth) && !underSixOn(intake.child.dateOfBirth, on)) {
        ctx.addIssue({ code: 'custom', path: ['procedures', 'healthInsurance'], message: 'only for a child under 6' });
      }
    }
  });

export type BirthIntake = z.infer<typeof birthIntakeSchema>;

/** The child health-insurance card is for a child under 6 (Luật BHYT) on the Vietnam calendar day of `on`. */
export function underSixOn(dateOfBirth: string, on: Date): boolean {
  return isUnderSix(parseIsoDate(dateOfBirth), parseIsoDate(vietnamDate(on)));
}

export function birthOptionalSteps(intake: BirthIntake): StepCode[] {
  const steps: StepCode[] = [];
  if (intake.procedures.permanentResidence) steps.push('PERMANENT_RESIDENCE');
  if (intake.procedures.healthInsurance) steps.push('CHILD_HEALTH_INSURANCE');
  return steps;
}
