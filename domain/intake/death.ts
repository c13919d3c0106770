import { z } from 'zod';
import { funeralAllowance, funeralCategories } from '../funeral-allowance';
import type { StepCode } from '../procedures';
import {
  contactSchema,
  dateOfBirthSchema,
  dossierNumberSchema,
  isCalendarDate,
  isoDate,
  jurisdictionSchema,
  name,
  personalIdSchema,
  requesterSchema,
  text,
  todayIso,
} from './common';

/** The deceased as the death registration records them (and a facility's death notice certifies them). */
export const deceasedSchema = z.object({
  fullName: name,
  personalIdNumber: personalIdSchema,
  sex: z.enum(['MALE', 'FEMALE']),
  dateOfBirth: dateOfBirthSchema,
  dateOfDeath: isoDate,
  placeOfDeath: text,
  cause: text,
});

/** Group B: death registration → removal of permanent residence / funeral allowance / survivor benefits. */
export const deathIntakeSchema = z
  .object({
    group: z.literal('DEATH'),
    dossierNumber: dossierNumberSchema.describe('Dossier code from the portal or the one-stop desk; the idempotency key'),
    jurisdiction: jurisdictionSchema.describe('The commune where the death is registered'),
    receivedAt: z.iso.datetime({ offset: true }).optional().describe('When the desk received the complete dossier; defaults to now'),
    procedures: z
      .object({
        residenceRemoval: z.boolean().default(false),
        funeralAllowance: z.boolean().default(false),
        survivorBenefit: z.boolean().default(false),
      })
      .describe('At least one procedure joined to the death registration (2, 3 or 4 in all)'),
    deceased: deceasedSchema,
    deathNotice: z.object({
      number: text.describe('Số giấy báo tử'),
      issuedBy: text,
      issuedOn: isoDate,
    }),
    requester: requesterSchema,
    contact: contactSchema.optional(),
    funeralAllowance: z
      .object({
        categories: z.array(z.enum(funeralCategories)).min(1, 'at least one category').max(funeralCategories.length, 'each category once').describe('Every category that applies; the highest is paid'),
        payee: z.object({
          fullName: name,
          personalIdNumber: personalIdSchema,
          bankAccount: z.object({
            bankCode: z.string().regex(/^[A-Z0-9]{3,11}$/, 'expected a bank code'),
            accountNumber: z.string().regex(/^\d{6,20}$/, 'expected 6–20 digits'),
          }),
        }),
      })
      .optional(),
    survivorBenefit: z
      .object({
        survivors: z
          .array(
            z.object({
              fullName: name,
              personalIdNumber: personalIdSchema,
              relationship: z.enum(['SPOUSE', 'CHILD', 'PARENT', 'OTHER_DEPENDANT']),
              dateOfBirth: dateOfBirthSchema,
            }),
          )
          .min(1, 'at least one survivor')
          .max(30, 'at most 30 survivors'),
      })
      .optional(),
  })
  .superRefine((intake, ctx) => {
    const { dateOfBirth, dateOfDeath } = intake.deceased;
    if (isCalendarDate(dateOfDeath) && dateOfDeath > todayIso()) {
      ctx.addIssue({ code: 'custom', path: ['deceased', 'dateOfDeath'], message: 'is in the future' });
    }
    if (isCalendarDate(dateOfBirth) && isCalendarDate(dateOfDeath) && dateOfDeath < dateOfBirth) {
      ctx.addIssue({ code: 'custom', path: ['deceased', 'dateOfDeath'], message: 'is before the date of birth' });
    }
    const { residenceRemoval, funeralAllowance: funeral, survivorBenefit } = intake.procedures;
    if (!residenceRemoval && !funeral && !survivorBenefit) {
      ctx.addIssue({ code: 'custom', path: ['procedures'], message: 'choose at least one procedure besides the death registration' });
    }
    if (funeral && !intake.funeralAllowance) {
      ctx.addIssue({ code: 'custom', path: ['funeralAllowance'], message: 'required when the funeral allowance is chosen' });
    }
    if (funeral && intake.funeralAllowance && isCalendarDate(dateOfDeath)) {
      try {
        funeralAllowance(intake.funeralAllowance.categories, dateOfDeath);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['deceased', 'dateOfDeath'], message: (error as Error).message });
      }
    }
    if (survivorBenefit && !intake.survivorBenefit) {
      ctx.addIssue({ code: 'custom', path: ['survivorBenefit'], message: 'required when survivor benefits are chosen' });
    }
  });

export type DeathIntake = z.infer<typeof deathIntakeSchema>;

export function deathOptionalSteps(intake: DeathIntake): StepCode[] {
  const steps: StepCode[] = [];
  if (intake.procedures.residenceRemoval) steps.push('RESIDENCE_REMOVAL');
  if (intake.procedures.funeralAllowance) steps.push('FUNERAL_ALLOWANCE');
  if (intake.procedures.survivorBenefit) steps.push('SURVIVOR_BENEFIT');
  return steps;
}
