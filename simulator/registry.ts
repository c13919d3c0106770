import { randomInt } from 'node:crypto';
import { childCardValidUntil, isUnderSix, parseIsoDate } from '../domain/age';
import type {
  BirthRegistrationRequest,
  BirthRegistrationResult,
  ChildHealthInsuranceRequest,
  ChildHealthInsuranceResult,
  PermanentResidenceRequest,
  PermanentResidenceResult,
  PersonalIdRequest,
  PersonalIdResult,
} from '../domain/agency-contract';
import { childCardNumber, personalIdPrefix } from '../domain/identifiers';

/** A business refusal raised by a simulated agency's own checks. */
export class SimulatedRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function randomDigits(count: number): string {
  return Array.from({ length: count }, () => randomInt(10)).join('');
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * The registers the agencies keep: civil-status records, personal ID numbers, residence records and
 * health-insurance cards. Issues identifiers in their real formats and never the same number twice.
 */
export class AgencyRegistry {
  private readonly births = new Map<string, BirthRegistrationRequest>();
  private readonly personalIds = new Set<string>();
  private readonly insuranceCodes = new Set<string>();
  private readonly pagesByBook = new Map<string, number>();
  private residenceSequence = 0;

  registerBirth(request: BirthRegistrationRequest): BirthRegistrationResult {
    const year = new Date().getUTCFullYear();
    const book = `${request.jurisdiction.communeCode}/${year}`;
    const page = (this.pagesByBook.get(book) ?? 0) + 1;
    this.pagesByBook.set(book, page);
    const registrationNumber = `KS-${request.jurisdiction.communeCode}-${year}-${String(page).padStart(6, '0')}`;
    this.births.set(registrationNumber, request);
    return { registrationNumber, book, page, registeredOn: today() };
  }

  issuePersonalId(request: PersonalIdRequest): PersonalIdResult {
    const birth = this.births.get(request.birthRegistrationNumber);
    if (!birth) throw new SimulatedRefusal('BIRTH_RECORD_NOT_FOUND', 'no civil-status record with that registration number');
    if (birth.child.dateOfBirth !== request.dateOfBirth || birth.child.sex !== request.sex) {
      throw new SimulatedRefusal('DATA_MISMATCH', 'date of birth or sex differs from the civil-status record');
    }
    const prefix = personalIdPrefix(request.provinceCode, parseIsoDate(request.dateOfBirth).year, request.sex);
    let id: string;
    do id = `${prefix}${randomDigits(6)}`;
    while (this.personalIds.has(id));
    this.personalIds.add(id);
    return { personalIdNumber: id, issuedAt: new Date().toISOString() };
  }

  registerPermanentResidence(request: PermanentResidenceRequest): PermanentResidenceResult {
    if (!this.personalIds.has(request.personalIdNumber)) {
      throw new SimulatedRefusal('PERSONAL_ID_NOT_FOUND', 'personal ID number unknown to the population database');
    }
    if (!request.headOfHouseholdConsent) {
      throw new SimulatedRefusal('HOUSEHOLD_CONSENT_MISSING', "the head of household's consent is required");
    }
    this.residenceSequence += 1;
    return {
      residenceRecordNumber: `TT-${request.address.provinceCode}-${String(this.residenceSequence).padStart(8, '0')}`,
      registeredOn: today(),
    };
  }

  issueChildHealthInsuranceCard(request: ChildHealthInsuranceRequest): ChildHealthInsuranceResult {
    if (!this.personalIds.has(request.personalIdNumber)) {
      throw new SimulatedRefusal('PERSONAL_ID_NOT_FOUND', 'personal ID number unknown to the population database');
    }
    const birth = parseIsoDate(request.dateOfBirth);
    if (!isUnderSix(birth, parseIsoDate(today()))) throw new SimulatedRefusal('NOT_UNDER_SIX', 'the child is 6 or older');
    let code: string;
    do code = `${request.provinceCode}${randomDigits(8)}`;
    while (this.insuranceCodes.has(code));
    this.insuranceCodes.add(code);
    return {
      cardNumber: childCardNumber(1, request.provinceCode, code),
      socialInsuranceCode: code,
      validFrom: today(),
      validUntil: childCardValidUntil(birth),
    };
  }

  /** How many numbers each register has issued: lets tests prove no retry issued a second one. */
  counts(): { births: number; personalIds: number; residences: number; cards: number } {
    return { births: this.births.size, personalIds: this.personalIds.size, residences: this.residenceSequence, cards: this.insuranceCodes.size };
  }
}
