/** Age rules of the child health-insurance card (Luật BHYT: children under 6 are state-funded). */
export interface CalendarDate {
  year: number;
  month: number; // 1–12
  day: number;
}

export function parseIsoDate(value: string): CalendarDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) throw new RangeError(`not an ISO date: ${value}`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

/** Whole months from birth to `on` (a child born 2020-03-15 is 72 months old on 2026-03-15). */
export function ageInMonths(birth: CalendarDate, on: CalendarDate): number {
  let months = (on.year - birth.year) * 12 + (on.month - birth.month);
  if (on.day < birth.day) months -= 1;
  return months;
}

export function isUnderSix(birth: CalendarDate, on: CalendarDate): boolean {
  return ageInMonths(birth, on) < 72;
}

/** The card is valid until 30 September of the year the child reaches 72 months. */
export function childCardValidUntil(birth: CalendarDate): string {
  return `${birth.year + 6}-09-30`;
}
