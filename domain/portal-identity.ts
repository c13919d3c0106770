import type { Intake } from './intake';
import type { VouchedCitizen } from './principal';

export interface IdentityMismatch {
  field: string;
  reason: string;
}

const sameName = (a: string, b: string) => a.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleUpperCase('vi') === b.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleUpperCase('vi');

/**
 * Where a portal intake's requester disagrees with the citizen VNeID identified (the token's `citizen`
 * claim): the identity is the token's, the body only repeats it. Empty when they agree. A citizen
 * identified below level 2 files nothing (Nghị định 69/2024: level 2 for public services online).
 */
export function portalIdentityIssues(citizen: VouchedCitizen | undefined, intake: Intake): IdentityMismatch[] {
  if (!citizen) return [{ field: 'token.citizen', reason: 'the portal token names no citizen identified by VNeID' }];
  if (citizen.level < 2) return [{ field: 'token.citizen.level', reason: 'the citizen must be identified by VNeID at level 2' }];
  const issues: IdentityMismatch[] = [];
  if (intake.requester.personalIdNumber !== citizen.personalIdNumber) {
    issues.push({ field: 'body.requester.personalIdNumber', reason: 'differs from the citizen the portal token vouches for' });
  }
  if (!sameName(intake.requester.fullName, citizen.fullName)) {
    issues.push({ field: 'body.requester.fullName', reason: 'differs from the citizen the portal token vouches for' });
  }
  return issues;
}

/**
 * Where an online birth filing names a commune that is not the parents' (Luật Hộ tịch Điều 13: the
 * commune where the father or the mother resides registers the birth). At a desk the clerk's own
 * commune receives the dossier; online, the citizen picks it, so the rule is checked here. A death
 * intake carries no residence of the deceased: its commune is the family's choice, as at a desk.
 */
export function onlineJurisdictionIssues(intake: Intake): IdentityMismatch[] {
  if (intake.group !== 'BIRTH') return [];
  const { provinceCode, communeCode } = intake.jurisdiction;
  const parents = [intake.mother, intake.father].flatMap((parent) => (parent ? [parent.residence] : []));
  if (parents.some((home) => home.provinceCode === provinceCode && home.communeCode === communeCode)) return [];
  return [{ field: 'body.jurisdiction.communeCode', reason: 'not the commune where the mother or the father resides' }];
}
