import { z } from 'zod';
import { personalIdPattern } from '../identifiers';
import { communeCodePattern, isKnownProvince, knownProvinceCodes, placeProblem } from '../jurisdiction';

/** Field schemas shared by the intakes of every procedure group. */

/** Years a date in a dossier may carry: a birth, death or document from 1900 on, nothing centuries ahead. */
export const plausibleYears = { first: 1900, last: 2199 } as const;
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine(isCalendarDate, 'not a calendar date')
  .refine((v) => Number(v.slice(0, 4)) >= plausibleYears.first && Number(v.slice(0, 4)) <= plausibleYears.last, `expected a year between ${plausibleYears.first} and ${plausibleYears.last}`)
  // The checks above, as far as a pattern can tell them, for the OpenAPI document (their messages stay theirs).
  .meta({ pattern: '^(19|2[01])\\d\\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$' });

/** A date of birth: a calendar date not after today in Vietnam (whoever is born, not someone to be born). */
export const dateOfBirthSchema = isoDate.refine((v) => !isCalendarDate(v) || v <= todayIso(), 'is in the future');

/** C0 and C1 control characters and DEL: never part of a name or a line of text (PostgreSQL cannot even store U+0000). */
export const controlCharacters = /[\u0000-\u001F\u007F-\u009F]/;
/**
 * Characters that print as nothing yet make two strings differ, or reorder what is shown: zero-width
 * ones (U+200B–U+200D, U+2060, the BOM U+FEFF), bidi marks, embeddings, overrides and isolates
 * (U+200E/U+200F, U+202A–U+202E, U+2066–U+2069) and the line and paragraph separators (U+2028/U+2029).
 * In a name or a certificate number they make a look-alike of a registered one, or show it reversed.
 */
export const invisibleCharacters = /[\u200B-\u200F\u2028-\u202E\u2060\u2066-\u2069\uFEFF]/;
/**
 * A name or one line of text. The invisible characters are looked for before trimming, which would
 * silently drop a leading or trailing BOM or separator instead of refusing it.
 */
const oneLine = (min: number, max: number, tooShort: string) =>
  z
    .string()
    .refine((v) => !invisibleCharacters.test(v), 'must not contain invisible or text-direction characters')
    .trim()
    .min(min, tooShort)
    .max(max, 'too long')
    .refine((v) => !controlCharacters.test(v), 'must not contain control characters')
    // The character rules as a pattern, for the OpenAPI document.
    .meta({ pattern: `^[^${controlCharacters.source.slice(1, -1)}${invisibleCharacters.source.slice(1, -1)}]*$` });
export const name = oneLine(2, 120, 'too short');
export const text = oneLine(1, 300, 'required');

export const provinceCodeSchema = z.string().refine(isKnownProvince, 'not a province code of the national list').meta({ enum: [...knownProvinceCodes] });
export const communeCodeSchema = z.string().regex(communeCodePattern, 'expected a 5-digit commune code');
export const personalIdSchema = z.string().regex(personalIdPattern, 'expected a 12-digit personal ID number');

/** A commune of the national list, in the province stated beside it (said on `communeCode`). */
export function checkPlace(place: { provinceCode: string; communeCode: string }, ctx: z.RefinementCtx): void {
  // A malformed code or an unknown province has its own message already.
  if (!communeCodePattern.test(place.communeCode) || !isKnownProvince(place.provinceCode)) return;
  const problem = placeProblem(place);
  if (problem) ctx.addIssue({ code: 'custom', path: ['communeCode'], message: problem });
}

export const jurisdictionSchema = z.object({ provinceCode: provinceCodeSchema, communeCode: communeCodeSchema }).superRefine(checkPlace);

/** An address's fields, to extend (zod refuses to extend a refined object); `addressSchema` checks the place. */
export const addressFields = z.object({
  line: text.describe('House number, street, hamlet'),
  communeCode: communeCodeSchema,
  provinceCode: provinceCodeSchema,
});
export const addressSchema = addressFields.superRefine(checkPlace);

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

/**
 * A dossier number begins with the office code of the commune that receives it (letters, the province
 * code, a dot, the commune code, a dash: `H79.26743-…`), so one commune can neither take nor probe the
 * numbers of another.
 */
const officeCode = /^[A-Z]{1,3}(\d{2})\.(\d{5})-[A-Za-z0-9]/;

export function checkOfficeCode(intake: { dossierNumber: string; jurisdiction: { provinceCode: string; communeCode: string } }, ctx: z.RefinementCtx): void {
  const { provinceCode, communeCode } = intake.jurisdiction;
  const [, province, commune] = officeCode.exec(intake.dossierNumber) ?? [];
  if (province !== provinceCode || commune !== communeCode) {
    ctx.addIssue({ code: 'custom', path: ['dossierNumber'], message: `must begin with the office code of commune ${provinceCode}/${communeCode}, e.g. H${provinceCode}.${communeCode}-` });
  }
}


const phoneSchema = z.string().regex(/^\+?\d{9,12}$/, 'expected 9–12 digits');

export const requesterSchema = z.object({
  fullName: name,
  personalIdNumber: personalIdSchema,
  relationship: z.enum(['MOTHER', 'FATHER', 'SPOUSE', 'CHILD', 'GRANDPARENT', 'SIBLING', 'RELATIVE', 'OTHER']),
  phone: phoneSchema.optional(),
});

/** Channels of the notification gateway: an SMS, an email, or a message in the citizen's VNeID app. */
export const notificationChannels = ['SMS', 'EMAIL', 'VNEID'] as const;
export type NotificationChannel = (typeof notificationChannels)[number];

/**
 * How the requester asked to be told of the dossier's progress (optional: without it nothing is
 * sent). VNeID messages go to the requester's VNeID account, which the personal ID number names, so
 * that channel needs neither phone nor email. Without a channel: SMS when a phone is given, else email.
 */
export const contactSchema = z
  .object({
    channel: z.enum(notificationChannels).optional().describe('Preferred channel; default SMS when a phone is given, else EMAIL'),
    phone: phoneSchema.optional(),
    email: z.email('expected an email address').max(254, 'too long').optional(),
  })
  .superRefine((contact, ctx) => {
    if (contact.channel === 'SMS' && !contact.phone) ctx.addIssue({ code: 'custom', path: ['phone'], message: 'required for SMS' });
    if (contact.channel === 'EMAIL' && !contact.email) ctx.addIssue({ code: 'custom', path: ['email'], message: 'required for EMAIL' });
    if (!contact.channel && !contact.phone && !contact.email) ctx.addIssue({ code: 'custom', path: ['phone'], message: 'give a phone, an email or the VNEID channel' });
  })
  .describe("Where the requester is told of each step's outcome; absent: no announcements");
export type Contact = z.infer<typeof contactSchema>;

/** Where an announcement goes: the channel and its address (phone, email, or the VNeID account's ID number). */
export function notificationRecipient(contact: Contact, requesterPersonalId: string): { channel: NotificationChannel; address: string } {
  const channel = contact.channel ?? (contact.phone ? 'SMS' : 'EMAIL');
  const address = channel === 'SMS' ? contact.phone : channel === 'EMAIL' ? contact.email : requesterPersonalId;
  if (!address) throw new Error(`contact has no address for ${channel}`);
  return { channel, address };
}

/** An ISO date parses and is a real calendar date (2026-02-30 is not). */
export function isCalendarDate(value: string): boolean {
  return !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

const vietnamOffsetMs = 7 * 3_600_000;

/** The Vietnam (UTC+7) calendar date of an instant: what "today" means at a commune desk. */
export function vietnamDate(instant: Date): string {
  return new Date(instant.getTime() + vietnamOffsetMs).toISOString().slice(0, 10);
}

/** dd/mm/yyyy, the Vietnamese way, of an ISO date or of an instant's Vietnam (UTC+7) calendar day. */
export function vietnameseDate(at: Date | string): string {
  const [year, month, day] = (typeof at === 'string' ? at : vietnamDate(at)).split('-');
  return `${day}/${month}/${year}`;
}

export function todayIso(): string {
  return vietnamDate(new Date());
}

/**
 * When a submitted dossier may say it was received: not ahead of our clock (beyond a little skew),
 * not older than a desk's backlog. Checked when the dossier is submitted, not when it is read back.
 */
export const receiptBounds = { futureSkewMs: 5 * 60_000, maxAgeDays: 60 } as const;

export function checkReceipt(intake: { receivedAt?: string | undefined }, ctx: z.RefinementCtx, now = Date.now()): void {
  if (!intake.receivedAt) return;
  const at = Date.parse(intake.receivedAt);
  if (at > now + receiptBounds.futureSkewMs) ctx.addIssue({ code: 'custom', path: ['receivedAt'], message: 'is in the future' });
  else if (at < now - receiptBounds.maxAgeDays * 86_400_000) {
    ctx.addIssue({ code: 'custom', path: ['receivedAt'], message: `is more than ${receiptBounds.maxAgeDays} days ago` });
  }
}
