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
