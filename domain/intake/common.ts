import { z } from 'zod';
import { personalIdPattern } from '../identifiers';
import { communeCodePattern, isKnownProvince } from '../jurisdiction';

/** Field schemas shared by the intakes of every procedure group. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine(isCalendarDate, 'not a calendar date');
export const name = z.string().trim().min(2, 'too short').max(120, 'too long');
export const text = z.string().trim().min(1, 'required').max(300, 'too long');

export const provinceCodeSchema = z.string().refine(isKnownProvince, 'not a province code of the national list');
export const communeCodeSchema = z.string().regex(communeCodePattern, 'expected a 5-digit commune code');
export const personalIdSchema = z.string().regex(personalIdPattern, 'expected a 12-digit personal ID number');

export const jurisdictionSchema = z.object({ provinceCode: provinceCodeSchema, communeCode: communeCodeSchema });

export const addressSchema = z.object({
  line: text.describe('House number, street, hamlet'),
  communeCode: communeCodeSchema,
  provinceCode: provinceCodeSchema,
});

export const parentSchema = z.object({
  fullName: name,
  personalIdNumber: personalIdSchema,
  ethnicity: text,
  nationality: text,
  residence: addressSchema,
});

export const dossierNumberSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9.\-_]{5,63}$/, 'expected 6–64 letters, digits, dots, dashes or underscores');


export const requesterSchema = z.object({
  fullName: name,
  personalIdNumber: personalIdSchema,
  relationship: z.enum(['MOTHER', 'FATHER', 'SPOUSE', 'CHILD', 'GRANDPARENT', 'SIBLING', 'RELATIVE', 'OTHER']),
  phone: z.string().regex(/^\+?\d{9,12}$/, 'expected 9–12 digits').optional(),
});

/** An ISO date parses and is a real calendar date (2026-02-30 is not). */
export function isCalendarDate(value: string): boolean {
  return !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

export function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}
