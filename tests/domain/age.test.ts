import { childCardValidUntil, isUnderSix, parseIsoDate, sixthBirthday } from '../../domain/age';
import { eligibilityInstant, eligibilityIssues } from '../../domain/intake';
import { birthIntake } from '../support/fixtures';

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

describe('when a submitted dossier is judged eligible', () => {
  const now = new Date('2026-06-15T03:00:00Z');
  const day = (iso: string) => new Date(`${iso}T03:00:00Z`);

  it("takes the API's clock, not the desk's receipt time, unless a notice vouches", () => {
    expect(eligibilityInstant({ receivedAt: '2026-05-01T03:00:00Z' }, now)).toEqual(now);
    expect(eligibilityInstant({}, now, day('2026-04-01'))).toEqual(now);
  });

  it("believes the desk's receipt time back to the notice's receipt, no further, and never ahead of now", () => {
    const notice = day('2026-05-01');
    expect(eligibilityInstant({ receivedAt: '2026-05-20T03:00:00Z' }, now, notice)).toEqual(day('2026-05-20'));
    expect(eligibilityInstant({ receivedAt: '2026-04-10T03:00:00Z' }, now, notice)).toEqual(notice);
    expect(eligibilityInstant({ receivedAt: '2026-06-15T03:04:00Z' }, now, notice)).toEqual(now);
  });

  it('refuses the card, on its field, for a child 6 on the day judged', () => {
    const intake = { ...birthIntake(), child: { ...birthIntake().child, dateOfBirth: '2020-06-10' } };
    expect(eligibilityIssues(intake, day('2026-06-09'))).toEqual([]);
    expect(eligibilityIssues(intake, day('2026-06-10'))).toEqual([{ path: ['procedures', 'healthInsurance'], message: 'only for a child under 6 on the day of receipt, judged as of 2026-06-10' }]);
    expect(eligibilityIssues({ ...intake, procedures: { permanentResidence: true, healthInsurance: false } }, day('2026-06-10'))).toEqual([]);
  });
});
