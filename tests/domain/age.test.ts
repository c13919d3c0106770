import { childCardValidUntil, isUnderSix, parseIsoDate, sixthBirthday } from '../../domain/age';

/** Luật BHYT Điều 16: the child's card runs to 72 months, or to 30 September when that comes first in the year. */
describe('child health-insurance card validity', () => {
  it.each([
    ['2020-01-15', '2026-09-30'], // born January–September: to 30 September of the year they turn 6
    ['2020-09-30', '2026-09-30'],
    ['2020-10-01', '2026-10-01'], // born October–December: to the sixth birthday
    ['2020-12-31', '2026-12-31'],
    ['2020-02-29', '2026-09-30'],
  ])('a child born %s keeps the card until %s', (born, until) => {
    expect(childCardValidUntil(parseIsoDate(born))).toBe(until);
  });

  it('the sixth birthday of a child born on 29 February is 1 March in a common year', () => {
    expect(sixthBirthday(parseIsoDate('2020-02-29'))).toEqual({ year: 2026, month: 3, day: 1 });
    expect(sixthBirthday(parseIsoDate('2018-02-28'))).toEqual({ year: 2024, month: 2, day: 28 });
  });

  it('a child is under 6 until the day before the sixth birthday', () => {
    expect(isUnderSix(parseIsoDate('2020-03-15'), parseIsoDate('2026-03-14'))).toBe(true);
    expect(isUnderSix(parseIsoDate('2020-03-15'), parseIsoDate('2026-03-15'))).toBe(false);
  });
});
