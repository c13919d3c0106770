/**
 * Formats of the identifiers the agencies issue (domain reference, "Identifiers").
 * Pure functions: used by the API to validate input, by the simulator to issue numbers and by tests.
 */
export type Sex = 'MALE' | 'FEMALE';

/** 12 digits: 3-digit province + century/sex digit + 2-digit birth year + 6 digits. */
export const personalIdPattern = /^\d{3}[0-5]\d{2}\d{6}$/;

export function centurySexDigit(birthYear: number, sex: Sex): number {
  const century = Math.floor(birthYear / 100); // 1900s → 19, 2000s → 20
  const base = (century - 19) * 2; // 20th c. 0/1, 21st c. 2/3, 22nd c. 4/5
  if (base < 0 || base > 4) throw new RangeError(`birth year ${birthYear} outside 1900–2199`);
  return base + (sex === 'FEMALE' ? 1 : 0);
}

/** The 6-digit prefix every personal ID number of a person starts with. */
export function personalIdPrefix(provinceCode: string, birthYear: number, sex: Sex): string {
  return `${provinceCode.padStart(3, '0')}${centurySexDigit(birthYear, sex)}${String(birthYear % 100).padStart(2, '0')}`;
}

export function isPersonalIdConsistent(id: string, birthYear: number, sex: Sex): boolean {
  return personalIdPattern.test(id) && id.slice(3, 6) === personalIdPrefix('0', birthYear, sex).slice(3, 6);
}

/**
 * Why a personal ID number entered by hand cannot be the one issued for this person, or null: the
 * checks the population database applies when it issues one (province of the birth registration,
 * century and sex, year of birth).
 */
export function personalIdMismatch(id: string, person: { provinceCode: string; birthYear: number; sex: Sex }): string | null {
  if (!personalIdPattern.test(id)) return 'expected a 12-digit personal ID number';
  const expected = personalIdPrefix(person.provinceCode, person.birthYear, person.sex);
  if (id.slice(0, 3) !== expected.slice(0, 3)) return `must begin with the province code ${expected.slice(0, 3)} of the birth registration`;
  if (id[3] !== expected[3]) return `the century/sex digit must be ${expected[3]} for this child`;
  if (id.slice(4, 6) !== expected.slice(4, 6)) return `the birth-year digits must be ${expected.slice(4, 6)}`;
  return null;
}

/** Social-insurance code (mã số BHXH): 10 digits. */
export const socialInsuranceCodePattern = /^\d{10}$/;

/** Child's card: "TE" + benefit level digit + 2-digit province + 10-digit social-insurance code. */
export const childCardNumberPattern = /^TE[1-5]\d{2}\d{10}$/;

export function childCardNumber(benefitLevel: number, provinceCode: string, socialInsuranceCode: string): string {
  return `TE${benefitLevel}${provinceCode.padStart(2, '0')}${socialInsuranceCode}`;
}
