import { z } from 'zod';
import { controlCharacters } from './intake/common';
import type { AgencyRole, StepCode } from './procedures';

/**
 * The wire contract between Liên thông and the agencies' systems (reached through the national data
 * exchange platform in production, the agency simulator here).
 *
 * - `POST {agency}/{resource}` performs a step's act; `POST {agency}/{resource}/cancellations` undoes it.
 * - Every call carries an `Idempotency-Key`: the agency answers a repeated key with its first answer,
 *   so a retried call never issues a second number. An undo names the act by its original key.
 * - 422 is a business answer: a refusal `{ code, message }`, or, with code SUPPLEMENT_REQUIRED, a
 *   request for more documents from the citizen. 5xx, 408, 429 and timeouts are worth retrying.
 */
export const idempotencyHeader = 'idempotency-key';
export const supplementRequiredCode = 'SUPPLEMENT_REQUIRED';

export const agencyPathPrefix: Record<AgencyRole, string> = {
  CIVIL_STATUS: '/civil-status',
  POPULATION_DATABASE: '/population',
  COMMUNE_POLICE: '/police',
  SOCIAL_SECURITY: '/social-security',
  SOCIAL_AFFAIRS: '/social-affairs',
  MERITORIOUS_SERVICE: '/meritorious-service',
};

export const stepResource: Record<StepCode, string> = {
  BIRTH_REGISTRATION: 'birth-registrations',
  PERSONAL_ID: 'personal-ids',
  PERMANENT_RESIDENCE: 'permanent-residences',
  CHILD_HEALTH_INSURANCE: 'child-health-insurance-cards',
  DEATH_REGISTRATION: 'death-registrations',
  RESIDENCE_REMOVAL: 'residence-removals',
  FUNERAL_ALLOWANCE: 'funeral-allowances',
  SURVIVOR_BENEFIT: 'survivor-benefits',
};

export function actPath(agency: AgencyRole, step: StepCode): string {
  return `${agencyPathPrefix[agency]}/${stepResource[step]}`;
}

export function undoPath(agency: AgencyRole, step: StepCode): string {
  return `${actPath(agency, step)}/cancellations`;
}

export const agencyAnswerSchema = z.object({ code: z.string(), message: z.string() });

export interface UndoRequest {
  /** The idempotency key of the act to undo. */
  originalIdempotencyKey: string;
  reason: string;
}
export const undoResultSchema = z.object({
  /** false when the agency never performed the act: nothing to undo. */
  undone: z.boolean(),
  reference: z.string().optional(),
});
export type UndoResult = z.infer<typeof undoResultSchema>;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const decision = { decisionNumber: z.string().min(1), decidedOn: isoDate };

/** What each step's agency answers when it performs the act. */
export const stepResultSchemas = {
  BIRTH_REGISTRATION: z.object({ registrationNumber: z.string().min(1), book: z.string().min(1), page: z.number().int().positive(), registeredOn: isoDate }),
  PERSONAL_ID: z.object({ personalIdNumber: z.string().regex(/^\d{12}$/), issuedAt: z.string() }),
  PERMANENT_RESIDENCE: z.object({ residenceRecordNumber: z.string().min(1), registeredOn: isoDate }),
  CHILD_HEALTH_INSURANCE: z.object({
    cardNumber: z.string().regex(/^TE[1-5]\d{12}$/),
    socialInsuranceCode: z.string().regex(/^\d{10}$/),
    validFrom: isoDate,
    validUntil: isoDate,
  }),
  DEATH_REGISTRATION: z.object({ registrationNumber: z.string().min(1), registeredOn: isoDate }),
  RESIDENCE_REMOVAL: z.object({ removalRecordNumber: z.string().min(1), removedOn: isoDate }),
  FUNERAL_ALLOWANCE: z.object({ ...decision, amount: z.number().int().positive(), category: z.string() }),
  SURVIVOR_BENEFIT: z.object({ ...decision, monthlyAmount: z.number().int().nonnegative(), beneficiaries: z.number().int().positive() }),
} satisfies Record<StepCode, z.ZodType>;

export type StepResults = { [S in StepCode]: z.infer<(typeof stepResultSchemas)[S]> };

/**
 * What of each act goes back to the citizen's portal account at the end (Nghị định 63 Điều 7): the
 * numbers and dates that prove and let them use it. Amounts and counts of a death group's benefits
 * concern the payee and survivors, who may not be the requester: the decision's number and date only.
 * Listed field by field, so a field added to a result is not sent until it is added here.
 */
export const citizenResultFields: { [S in StepCode]: readonly (keyof StepResults[S])[] } = {
  BIRTH_REGISTRATION: ['registrationNumber', 'book', 'page', 'registeredOn'],
  PERSONAL_ID: ['personalIdNumber', 'issuedAt'],
  PERMANENT_RESIDENCE: ['residenceRecordNumber', 'registeredOn'],
  CHILD_HEALTH_INSURANCE: ['cardNumber', 'validFrom', 'validUntil'],
  DEATH_REGISTRATION: ['registrationNumber', 'registeredOn'],
  RESIDENCE_REMOVAL: ['removalRecordNumber', 'removedOn'],
  FUNERAL_ALLOWANCE: ['decisionNumber', 'decidedOn'],
  SURVIVOR_BENEFIT: ['decisionNumber', 'decidedOn'],
};

/** A step's result cut to `citizenResultFields`; an unknown step gives nothing. */
export function citizenResult(step: string, result: Record<string, unknown>): Record<string, unknown> {
  const fields = (citizenResultFields as Record<string, readonly string[] | undefined>)[step] ?? [];
  return Object.fromEntries(fields.filter((f) => result[f] !== undefined).map((f) => [f, result[f]]));
}

/** What the officer enters on completing an undo: the agency's reference of the cancellation. */
export const undoTaskResultSchema = z.object({
  reference: z
    .string()
    .trim()
    .min(1, 'required')
    .max(100, 'too long')
    .refine((v) => !controlCharacters.test(v), 'must not contain control characters'),
});
export type UndoTaskResult = z.infer<typeof undoTaskResultSchema>;
