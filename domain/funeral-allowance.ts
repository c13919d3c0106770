import rates from './data/funeral-allowance-rates.json';
import type { AgencyRole } from './procedures';

/** Who the deceased was for funeral-allowance purposes; several may apply. */
export const funeralCategories = ['INSURED_OR_PENSIONER', 'SOCIAL_PROTECTION_BENEFICIARY', 'MERITORIOUS_SERVICE'] as const;
export type FuneralCategory = (typeof funeralCategories)[number];

type ReferenceLevel = keyof typeof rates.referenceLevels;

export interface FuneralAllowance {
  category: FuneralCategory;
  agency: AgencyRole;
  amount: number;
}

/** The reference level in force on a date (ISO dates compare as strings). */
function levelOn(level: ReferenceLevel, date: string): number {
  const inForce = rates.referenceLevels[level].filter((l) => l.from <= date).sort((a, b) => (a.from < b.from ? 1 : -1))[0];
  if (!inForce) throw new RangeError(`no ${level} configured for ${date}`);
  return inForce.amount;
}

export function allowanceFor(category: FuneralCategory, dateOfDeath: string): FuneralAllowance {
  const rule = rates.categories[category];
  return { category, agency: rule.agency as AgencyRole, amount: rule.multiplier * levelOn(rule.of as ReferenceLevel, dateOfDeath) };
}

/** When several categories apply only the highest is paid, by the agency of that category. */
export function funeralAllowance(categories: readonly FuneralCategory[], dateOfDeath: string): FuneralAllowance {
  const candidates = categories.map((c) => allowanceFor(c, dateOfDeath));
  const best = candidates.reduce<FuneralAllowance | undefined>((a, c) => (!a || c.amount > a.amount ? c : a), undefined);
  if (!best) throw new RangeError('at least one funeral-allowance category is required');
  return best;
}
