import Holidays from 'date-holidays';
import { z } from 'zod';
import { parseIsoDate } from './age';
import announcement from './data/working-day-overrides.json';

/**
 * The calendar procedure deadlines are counted in (domain reference, "Working days").
 *
 * A working day is Monday–Friday, minus the public holidays, with the government's yearly
 * announcement on top: an override wins over both rules, so an announced make-up Saturday is a working
 * day and an announced bridge day is not.
 *
 * Public holidays come from date-holidays 3.37.0 (country VN, type 'public'), which gives:
 * - Tết Dương lịch 1/1;
 * - Tết Nguyên Đán as a 5-day block from giao thừa, the last day of the lunar year (2026: 16–20/2);
 * - Giỗ tổ Hùng Vương, 10/3 lunar (2025-04-07, 2026-04-26, 2027-04-16);
 * - 30/4, 1/5 and 2/9, one day each.
 * It does not give (so they come from the override table, year by year):
 * - the day next to 2/9 (Bộ luật Lao động 2019, Điều 112: Quốc khánh is 2/9 plus 1/9 or 3/9);
 * - the compensatory day when a holiday falls on a weekend (Điều 111 khoản 3);
 * - the 5 Tết days the government actually chooses (2025: 27–31/1, the library has 28/1–1/2);
 * - bridge days and the make-up Saturdays they are swapped with.
 * Everything else it lists for VN (Phật đản, Trung thu, 20/11…) is an observance, not a day off.
 *
 * Deadlines ("N working days"), the convention of the one-stop desks:
 * - the counting starts on the day of receipt when that is a working day and the dossier arrives
 *   before the cut-off hour (default 15:00 Vietnam time); at or after it, or on a non-working day, on
 *   the next working day;
 * - that first day is day 1, and the deadline passes at the end of office hours (default 17:00) of
 *   day N. Received Monday 09:00 with 3 working days → due Wednesday 17:00; received Monday 16:00 →
 *   counting starts Tuesday → due Thursday 17:00. "Same working day" is N = 1.
 *
 * Vietnam time is UTC+7 all year (no daylight saving), so plain offset arithmetic is exact.
 * Pure and deterministic: callers pass the instants, nothing reads the clock. Used by activities and
 * the API; workflow code receives computed deadlines rather than importing this (date-holidays).
 */

/** A calendar date in Vietnam time, 'YYYY-MM-DD'. */
export type LocalDate = string;

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const vietnamOffsetMs = 7 * hourMs;
/** Longest run of non-working days accepted before a search gives up (guards against absurd overrides). */
const longestBreakDays = 366;
/**
 * The years the calendar answers for. Deadlines are counted around today; a date centuries away is a
 * mistake, and arithmetic on it (year 0001 read as 1901 by Date.UTC, lunar holidays of antiquity) must
 * fail fast rather than run away with the event loop.
 */
export const calendarYears = { first: 1900, last: 2199 } as const;
const inCalendarYears = (year: number): boolean => year >= calendarYears.first && year <= calendarYears.last;
/** The longest span counted day by day, and the most working days added: a decade's worth, no more. */
const longestSpanDays = 3660;
const mostWorkingDays = 2000;

const dayNumberOf = (date: LocalDate): number => {
  const { year, month, day } = parseIsoDate(date);
  return Date.UTC(year, month - 1, day) / dayMs;
};
const dateOfDayNumber = (dayNumber: number): LocalDate => new Date(dayNumber * dayMs).toISOString().slice(0, 10);

/** The Vietnam calendar date of an instant. */
export function toVietnamDate(instant: Date): LocalDate {
  return new Date(assertInstant(instant) + vietnamOffsetMs).toISOString().slice(0, 10);
}

function assertInstant(instant: Date): number {
  const time = instant.getTime();
  if (Number.isNaN(time)) throw new RangeError('not a valid instant');
  if (!inCalendarYears(instant.getUTCFullYear())) throw new RangeError(`${instant.toISOString()} is outside the calendar's years`);
  return time;
}

const isLocalDate = (value: string): boolean =>
  /^\d{4}-\d{2}-\d{2}$/.test(value) && dateOfDayNumber(dayNumberOf(value)) === value;
const localDateSchema = z.string().refine(isLocalDate, 'expected a calendar date as YYYY-MM-DD');

export const workingDayOverrideSchema = z
  .object({
    from: localDateSchema,
    /** Inclusive; defaults to `from`. */
    to: localDateSchema.optional(),
    kind: z.enum(['DAY_OFF', 'WORKING_DAY']),
    /** Why: which holiday, which swap. */
    note: z.string().min(1),
    /** The announcement or the article of law. */
    source: z.string().min(1).optional(),
  })
  .refine((o) => o.to === undefined || o.to >= o.from, '"to" is before "from"');
export type WorkingDayOverride = z.input<typeof workingDayOverrideSchema>;

/** The announced years, checked when the module loads so a bad data file fails at start-up. */
const announcedOverrides = z.object({ overrides: z.array(workingDayOverrideSchema) }).parse(announcement).overrides;

export interface WorkingCalendarOptions {
  /** Added to the announced table and winning over it: a new year's announcement without a release. */
  overrides?: readonly WorkingDayOverride[];
  /** A dossier received at or after this hour (Vietnam time) counts from the next working day. Default 15. */
  cutoffHour?: number;
  /** The hour office hours end, when a deadline passes. Default 17. */
  endOfDayHour?: number;
}

export interface WorkingCalendar {
  isWorkingDay(date: LocalDate): boolean;
  /** The first working day strictly after `date`. */
  nextWorkingDay(date: LocalDate): LocalDate;
  /** The working day `count` working days after `date` (`date` itself when `count` is 0). */
  addWorkingDays(date: LocalDate, count: number): LocalDate;
  /** Day 1 of the deadline of a dossier received at `receivedAt`. */
  countingStart(receivedAt: Date): LocalDate;
  /** The instant a deadline of `workingDays` (≥ 1) passes: end of office hours of day N. */
  dueAt(receivedAt: Date, workingDays: number): Date;
  /**
   * Working days from the Vietnam date of `from` (excluded) to that of `to` (included): how many
   * working days late something done at `to` is against a deadline at `from`; negative when `to` is
   * earlier (working days left). Whole days only: 18:00 on the due day is late but 0 days late.
   */
  workingDaysBetween(from: Date, to: Date): number;
}

let library: Holidays | undefined;
/** Holiday dates by year, shared by every calendar: they depend on the library only. */
const publicHolidaysByYear = new Map<number, ReadonlySet<LocalDate>>();

function publicHolidays(year: number): ReadonlySet<LocalDate> {
  let dates = publicHolidaysByYear.get(year);
  if (!dates) {
    library ??= new Holidays('VN');
    const found = new Set<LocalDate>();
    for (const holiday of library.getHolidays(year)) {
      if (holiday.type !== 'public') continue;
      // Tết is one entry spanning 5 days: take every day from start to end.
      for (let t = holiday.start.getTime(); t < holiday.end.getTime(); t += dayMs) found.add(toVietnamDate(new Date(t)));
    }
    dates = found;
    publicHolidaysByYear.set(year, dates);
  }
  return dates;
}

/** Date → is a working day, later lists winning; a date given both kinds within one list is an error. */
function overrideTable(lists: readonly (readonly WorkingDayOverride[])[]): Map<LocalDate, boolean> {
  const table = new Map<LocalDate, boolean>();
  for (const list of lists) {
    const fromList = new Map<LocalDate, boolean>();
    for (const entry of list) {
      const override = workingDayOverrideSchema.parse(entry);
      const working = override.kind === 'WORKING_DAY';
      const last = dayNumberOf(override.to ?? override.from);
      for (let n = dayNumberOf(override.from); n <= last; n++) {
        const date = dateOfDayNumber(n);
        if (fromList.get(date) === !working) throw new RangeError(`${date} is overridden as both a day off and a working day`);
        fromList.set(date, working);
      }
    }
    for (const [date, working] of fromList) table.set(date, working);
  }
  return table;
}

function assertHour(name: string, hour: number): number {
  if (!Number.isFinite(hour) || hour < 0 || hour > 24) throw new RangeError(`${name} must be an hour between 0 and 24, got ${hour}`);
  return hour;
}

function assertCount(name: string, count: number, min: number): number {
  if (!Number.isInteger(count) || count < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${count}`);
  return count;
}

export function createWorkingCalendar(options: WorkingCalendarOptions = {}): WorkingCalendar {
  const cutoffMs = assertHour('cutoffHour', options.cutoffHour ?? 15) * hourMs;
  const endOfDayMs = assertHour('endOfDayHour', options.endOfDayHour ?? 17) * hourMs;
  const overrides = overrideTable([announcedOverrides, options.overrides ?? []]);

  // Every date of a year → working or not, built on first use: a lookup is two map reads, and a
  // malformed or impossible date ('2026-02-30') is simply absent.
  const years = new Map<string, ReadonlyMap<LocalDate, boolean>>();

  function buildYear(year: number): ReadonlyMap<LocalDate, boolean> {
    const holidays = publicHolidays(year);
    const days = new Map<LocalDate, boolean>();
    for (let n = Date.UTC(year, 0, 1) / dayMs; n < Date.UTC(year + 1, 0, 1) / dayMs; n++) {
      const date = dateOfDayNumber(n);
      const weekday = new Date(n * dayMs).getUTCDay(); // 0 Sunday … 6 Saturday
      days.set(date, overrides.get(date) ?? (weekday !== 0 && weekday !== 6 && !holidays.has(date)));
    }
    return days;
  }

  function isWorkingDay(date: LocalDate): boolean {
    const yearKey = date.slice(0, 4);
    let days = years.get(yearKey);
    if (!days && /^\d{4}$/.test(yearKey) && inCalendarYears(Number(yearKey))) {
      days = buildYear(Number(yearKey));
      years.set(yearKey, days);
    }
    const working = days?.get(date);
    if (working === undefined) throw new RangeError(`not a date as YYYY-MM-DD within ${calendarYears.first}–${calendarYears.last}: ${date}`);
    return working;
  }

  /** Rejects a malformed date before arithmetic steps from it. */
  const assertDate = (date: LocalDate): void => void isWorkingDay(date);

  function nextWorkingDay(date: LocalDate): LocalDate {
    assertDate(date);
    const start = dayNumberOf(date);
    for (let n = start + 1; n <= start + longestBreakDays; n++) {
      const next = dateOfDayNumber(n);
      if (isWorkingDay(next)) return next;
    }
    throw new RangeError(`no working day within ${longestBreakDays} days after ${date}`);
  }

  function addWorkingDays(date: LocalDate, count: number): LocalDate {
    assertDate(date);
    let result = date;
    if (count > mostWorkingDays) throw new RangeError(`count must be at most ${mostWorkingDays}, got ${count}`);
    for (let i = assertCount('count', count, 0); i > 0; i--) result = nextWorkingDay(result);
    return result;
  }

  function countingStart(receivedAt: Date): LocalDate {
    const local = assertInstant(receivedAt) + vietnamOffsetMs;
    const dayNumber = Math.floor(local / dayMs);
    const date = dateOfDayNumber(dayNumber);
    const beforeCutoff = local - dayNumber * dayMs < cutoffMs;
    return beforeCutoff && isWorkingDay(date) ? date : nextWorkingDay(date);
  }

  function dueAt(receivedAt: Date, workingDays: number): Date {
    const lastDay = addWorkingDays(countingStart(receivedAt), assertCount('workingDays', workingDays, 1) - 1);
    return new Date(dayNumberOf(lastDay) * dayMs + endOfDayMs - vietnamOffsetMs);
  }

  function workingDaysBetween(from: Date, to: Date): number {
    const first = dayNumberOf(toVietnamDate(from));
    const last = dayNumberOf(toVietnamDate(to));
    if (last < first) return -workingDaysBetween(to, from);
    if (last - first > longestSpanDays) throw new RangeError(`more than ${longestSpanDays} days between ${toVietnamDate(from)} and ${toVietnamDate(to)}`);
    let count = 0;
    for (let n = first + 1; n <= last; n++) if (isWorkingDay(dateOfDayNumber(n))) count++;
    return count;
  }

  return { isWorkingDay, nextWorkingDay, addWorkingDays, countingStart, dueAt, workingDaysBetween };
}
