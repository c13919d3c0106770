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

const iso = ({ year, month, day }: CalendarDate): string => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** The day a child reaches 72 months: the sixth birthday (a child born 29 February: 1 March when that year has none). */
export function sixthBirthday(birth: CalendarDate): CalendarDate {
  const year = birth.year + 6;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return birth.month === 2 && birth.day === 29 && !leap ? { year, month: 3, day: 1 } : { ...birth, year };
}

/**
 * Luật BHYT Điều 16 (as amended 2014): the card is valid until the day the child reaches 72 months;
 * when that day comes before the school year (by 30 September), until 30 September of that year. So a
 * child born January–September keeps it to 30 September of the year they turn 6, one born
 * October–December to the sixth birthday.
 */
export function childCardValidUntil(birth: CalendarDate): string {
  const sixth = sixthBirthday(birth);
  return sixth.month <= 9 ? `${sixth.year}-09-30` : iso(sixth);
}
