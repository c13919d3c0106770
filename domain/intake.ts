import { z } from 'zod';
import { isUnderSix, parseIsoDate } from './age';
import { personalIdPattern } from './identifiers';
import { communeCodePattern, isKnownProvince } from './jurisdiction';
import type { StepCode } from './procedures';

/**
 * What a commune desk (or the national portal) submits to start a procedure group. One schema shared
 * by the API (validation, OpenAPI) and the activities (reading the stored dossier back).
 */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'not a calendar date');
const name = z.string().trim().min(2, 'too short').max(120, 'too long');
const text = z.string().trim().min(1, 'required').max(300, 'too long');

export const provinceCodeSchema = z.string().refine(isKnownProvince, 'not a province code of the national list');
export const communeCodeSchema = z.string().regex(communeCodePattern, 'expected a 5-digit commune code');
export const personalIdSchema = z.string().regex(personalIdPattern, 'expected a 12-digit personal ID number');

export const jurisdictionSchema = z.object({ provinceCode: provinceCodeSchema, communeCode: communeCodeSchema });

export const addressSchema = z.object({
  line: text.describe('House number, street, hamlet'),
  communeCode: communeCodeSchema,
  provinceCode: provinceCodeSchema,
});

const parentSchema = z.object({
  fullName: name,
  personalIdNumber: personalIdSchema,
  ethnicity: text,
  nationality: text,
  residence: addressSchema,
});

export const dossierNumberSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9.\-_]{5,63}$/, 'expected 6–64 letters, digits, dots, dashes or underscores');

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
      dateOfBirth: isoDate,
      placeOfBirth: text,
      ethnicity: text,
      nationality: text,
      homeTown: text,
    }),
    mother: parentSchema.optional(),
    father: parentSchema.optional(),
    requester: z.object({
      fullName: name,
      personalIdNumber: personalIdSchema,
      relationship: z.enum(['MOTHER', 'FATHER', 'GRANDPARENT', 'SIBLING', 'RELATIVE', 'OTHER']),
      phone: z.string().regex(/^\+?\d{9,12}$/, 'expected 9–12 digits').optional(),
    }),
    birthCertificate: z.object({
      number: text.describe('Số giấy chứng sinh'),
      issuedBy: text.describe('Hospital or health facility'),
      issuedOn: isoDate,
    }),
    residence: addressSchema.extend({ headOfHouseholdConsent: z.boolean() }).optional(),
    healthInsurance: z.object({ initialFacilityCode: z.string().regex(/^\d{5}$/, 'expected a 5-digit facility code') }).optional(),
  })
  .superRefine((intake, ctx) => {
    const today = new Date().toISOString().slice(0, 10);
    const validBirthDate = !Number.isNaN(Date.parse(`${intake.child.dateOfBirth}T00:00:00Z`));
    if (validBirthDate && intake.child.dateOfBirth > today) {
      ctx.addIssue({ code: 'custom', path: ['child', 'dateOfBirth'], message: 'is in the future' });
    }
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
      const on = parseIsoDate((intake.receivedAt ?? new Date().toISOString()).slice(0, 10));
      if (validBirthDate && !isUnderSix(parseIsoDate(intake.child.dateOfBirth), on)) {
        ctx.addIssue({ code: 'custom', path: ['procedures', 'healthInsurance'], message: 'only for a child under 6' });
      }
    }
  });

export type BirthIntake = z.infer<typeof birthIntakeSchema>;
export type Intake = BirthIntake;
export const intakeSchema = birthIntakeSchema;

/** The optional steps the citizen chose, as step codes of the group definition. */
export function chosenOptionalSteps(intake: Intake): StepCode[] {
  const steps: StepCode[] = [];
  if (intake.procedures.permanentResidence) steps.push('PERMANENT_RESIDENCE');
  if (intake.procedures.healthInsurance) steps.push('CHILD_HEALTH_INSURANCE');
  return steps;
}
