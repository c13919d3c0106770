import { z } from 'zod';
import type { Intake } from './intake';
import { addressSchema, dateOfBirthSchema, isCalendarDate, name, personalIdSchema, text, todayIso } from './intake/common';
import { deceasedSchema } from './intake/death';

/**
 * Life events that start a procedure group before the family applies: a health facility's electronic
 * birth notice (giấy chứng sinh) or death notice (giấy báo tử). A notice opens a draft dossier in the
 * mother's (or the deceased's) commune; the commune desk completes it with the family, and on their
 * confirmation it becomes the ordinary group. Pure rules and schemas, shared by the API and workflows.
 */

/** Who issues notices: health facilities (a hospital, a commune health station), as an agency system. */
export const noticeIssuers = ['HOSPITAL'] as const;
export type NoticeIssuer = (typeof noticeIssuers)[number];

export const noticeKinds = ['BIRTH', 'DEATH'] as const;
export type NoticeKind = (typeof noticeKinds)[number];

/**
 * Luật Hộ tịch 2014: a birth is registered within 60 days of the birth (Điều 15), a death within 15
 * days of the death (Điều 33). Calendar days, not working days. Past them the registration still
 * happens, late; the family is reminded before.
 */
export const legalTimeLimits: Record<NoticeKind, { days: number; remindDaysBefore: readonly number[] }> = {
  BIRTH: { days: 60, remindDaysBefore: [30, 7] },
  DEATH: { days: 15, remindDaysBefore: [7, 2] },
};

const dayMs = 86_400_000;

/**
 * When the legal limit falls and when to remind, for an event on `eventDate` (a Vietnam calendar
 * date): the limit is the end of its last day in Vietnam (UTC+7). Reminders already past are dropped.
 */
export function noticeTimeline(kind: NoticeKind, eventDate: string, now: number): { limitAt: number; reminders: { at: number; daysLeft: number }[] } {
  const { days, remindDaysBefore } = legalTimeLimits[kind];
  // Midnight at the start of the day after the last allowed day, Vietnam time.
  const limitAt = Date.parse(`${eventDate}T00:00:00+07:00`) + (days + 1) * dayMs;
  const reminders = remindDaysBefore.map((daysLeft) => ({ at: limitAt - daysLeft * dayMs, daysLeft })).filter((r) => r.at > now);
  return { limitAt, reminders };
}

const noticeNumber = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9./\-_]{3,63}$/, 'expected 4–64 letters, digits, dots, slashes, dashes or underscores')
  .describe('The notice number the facility printed: the idempotency key of the notice');

const facility = z.object({
  code: z.string().regex(/^\d{5}$/, 'expected a 5-digit health facility code'),
  name: text,
});

const notDayInFuture = (date: string, ctx: z.RefinementCtx, path: (string | number)[]) => {
  if (isCalendarDate(date) && date > todayIso()) ctx.addIssue({ code: 'custom', path, message: 'is in the future' });
};

/** A birth notice: what the facility knows. Not the child's name, the father, or what the family will choose. */
export const birthNoticeSchema = z
  .object({
    kind: z.literal('BIRTH'),
    noticeNumber,
    facility,
    child: z.object({
      sex: z.enum(['MALE', 'FEMALE']),
      dateOfBirth: dateOfBirthSchema,
      placeOfBirth: text,
      weightGrams: z.number().int().min(300).max(7000).optional(),
    }),
    mother: z.object({
      fullName: name,
      personalIdNumber: personalIdSchema,
      residence: addressSchema.describe("The mother's residence: the draft opens at this commune's desk"),
      phone: z.string().regex(/^\+?\d{9,12}$/, 'expected 9–12 digits').optional(),
    }),
  });

/** A death notice: the deceased and the death's facts. Not the family's chosen procedures or payee. */
export const deathNoticeSchema = z
  .object({
    kind: z.literal('DEATH'),
    noticeNumber,
    facility,
    deceased: deceasedSchema.extend({ residence: addressSchema.describe("The deceased's residence: the draft opens at this commune's desk") }),
    informantPhone: z.string().regex(/^\+?\d{9,12}$/, 'expected 9–12 digits').optional(),
  })
  .superRefine((notice, ctx) => {
    notDayInFuture(notice.deceased.dateOfDeath, ctx, ['deceased', 'dateOfDeath']);
    if (notice.deceased.dateOfBirth > notice.deceased.dateOfDeath) {
      ctx.addIssue({ code: 'custom', path: ['deceased', 'dateOfBirth'], message: 'is after the date of death' });
    }
  });

export const noticeSchema = z.discriminatedUnion('kind', [birthNoticeSchema, deathNoticeSchema]);
export type LifeEventNotice = z.infer<typeof noticeSchema>;

/** Where the draft opens: the commune of the mother's or the deceased's residence. */
export function noticePlace(notice: LifeEventNotice): { provinceCode: string; communeCode: string } {
  const { provinceCode, communeCode } = notice.kind === 'BIRTH' ? notice.mother.residence : notice.deceased.residence;
  return { provinceCode, communeCode };
}

/** The date of the event the legal limit counts from. */
export function noticeEventDate(notice: LifeEventNotice): string {
  return notice.kind === 'BIRTH' ? notice.child.dateOfBirth : notice.deceased.dateOfDeath;
}

/**
 * The facts of the notice the family's dossier must repeat: the desk completes the draft, it does not
 * rewrite what the facility certified. Each mismatch names the intake's field.
 */
export function noticeMismatches(notice: LifeEventNotice, intake: Intake): { field: string; reason: string }[] {
  const differ: { field: string; reason: string }[] = [];
  const expect = (field: string, actual: unknown, certified: unknown) => {
    if (actual !== certified) differ.push({ field: `body.${field}`, reason: "differs from the facility's notice" });
  };
  if (intake.group !== notice.kind) return [{ field: 'body.group', reason: `the notice is a ${notice.kind.toLowerCase()} notice` }];
  if (notice.kind === 'BIRTH' && intake.group === 'BIRTH') {
    expect('child.sex', intake.child.sex, notice.child.sex);
    expect('child.dateOfBirth', intake.child.dateOfBirth, notice.child.dateOfBirth);
    expect('mother.personalIdNumber', intake.mother?.personalIdNumber, notice.mother.personalIdNumber);
    expect('birthCertificate.number', intake.birthCertificate.number, notice.noticeNumber);
  }
  if (notice.kind === 'DEATH' && intake.group === 'DEATH') {
    expect('deceased.personalIdNumber', intake.deceased.personalIdNumber, notice.deceased.personalIdNumber);
    expect('deceased.dateOfDeath', intake.deceased.dateOfDeath, notice.deceased.dateOfDeath);
    expect('deathNotice.number', intake.deathNotice.number, notice.noticeNumber);
  }
  const place = noticePlace(notice);
  expect('jurisdiction.communeCode', `${intake.jurisdiction.provinceCode}/${intake.jurisdiction.communeCode}`, `${place.provinceCode}/${place.communeCode}`);
  return differ;
}

/**
 * What the notice lets the desk's intake form start from: the certified facts, in the intake's shape.
 * The rest (the child's name, the father, the procedures chosen, residence, payee…) is the family's.
 */
export function noticePrefill(notice: LifeEventNotice, issuedOn: string) {
  const jurisdiction = noticePlace(notice);
  if (notice.kind === 'BIRTH') {
    const { sex, dateOfBirth, placeOfBirth } = notice.child;
    const { fullName, personalIdNumber, residence } = notice.mother;
    return {
      group: 'BIRTH' as const,
      jurisdiction,
      child: { sex, dateOfBirth, placeOfBirth },
      mother: { fullName, personalIdNumber, residence },
      birthCertificate: { number: notice.noticeNumber, issuedBy: notice.facility.name, issuedOn },
    };
  }
  const { residence: _residence, ...deceased } = notice.deceased;
  return {
    group: 'DEATH' as const,
    jurisdiction,
    deceased,
    deathNotice: { number: notice.noticeNumber, issuedBy: notice.facility.name, issuedOn },
  };
}
