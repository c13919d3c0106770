import { z } from 'zod';

/**
 * The wire contract between Liên thông and the agencies' systems (reached through the national data
 * exchange platform in production, the agency simulator here). Every call carries an
 * `Idempotency-Key` (dossier + step): the agency answers a repeated key with the first answer, so a
 * retried call never issues a second number.
 */
export const idempotencyHeader = 'idempotency-key';

export const agencyPaths = {
  birthRegistration: '/civil-status/birth-registrations',
  personalId: '/population/personal-ids',
  permanentResidence: '/police/permanent-residences',
  childHealthInsurance: '/social-security/child-health-insurance-cards',
} as const;

/** Body of a business refusal (HTTP 422): the agency examined the request and said no. */
export const refusalSchema = z.object({ code: z.string(), message: z.string() });
export type Refusal = z.infer<typeof refusalSchema>;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const birthRegistrationResultSchema = z.object({
  registrationNumber: z.string().min(1),
  book: z.string().min(1),
  page: z.number().int().positive(),
  registeredOn: isoDate,
});
export type BirthRegistrationResult = z.infer<typeof birthRegistrationResultSchema>;

export const personalIdResultSchema = z.object({
  personalIdNumber: z.string().regex(/^\d{12}$/),
  issuedAt: z.string(),
});
export type PersonalIdResult = z.infer<typeof personalIdResultSchema>;

export const permanentResidenceResultSchema = z.object({
  residenceRecordNumber: z.string().min(1),
  registeredOn: isoDate,
});
export type PermanentResidenceResult = z.infer<typeof permanentResidenceResultSchema>;

export const childHealthInsuranceResultSchema = z.object({
  cardNumber: z.string().regex(/^TE[1-5]\d{12}$/),
  socialInsuranceCode: z.string().regex(/^\d{10}$/),
  validFrom: isoDate,
  validUntil: isoDate,
});
export type ChildHealthInsuranceResult = z.infer<typeof childHealthInsuranceResultSchema>;

export interface BirthRegistrationRequest {
  jurisdiction: { provinceCode: string; communeCode: string };
  child: { fullName: string; sex: 'MALE' | 'FEMALE'; dateOfBirth: string; placeOfBirth: string; ethnicity: string; nationality: string; homeTown: string };
  parents: { role: 'MOTHER' | 'FATHER'; fullName: string; personalIdNumber: string }[];
  birthCertificateNumber: string;
}

export interface PersonalIdRequest {
  birthRegistrationNumber: string;
  provinceCode: string;
  fullName: string;
  sex: 'MALE' | 'FEMALE';
  dateOfBirth: string;
}

export interface PermanentResidenceRequest {
  personalIdNumber: string;
  fullName: string;
  address: { line: string; communeCode: string; provinceCode: string };
  headOfHouseholdConsent: boolean;
}

export interface ChildHealthInsuranceRequest {
  personalIdNumber: string;
  fullName: string;
  dateOfBirth: string;
  provinceCode: string;
  initialFacilityCode: string;
}
