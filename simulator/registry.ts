import { randomInt } from 'node:crypto';
import { childCardValidUntil, isUnderSix, parseIsoDate } from '../domain/age';
import type { StepResults } from '../domain/agency-contract';
import { childCardNumber, personalIdPrefix, type Sex } from '../domain/identifiers';
import type { StepCode } from '../domain/procedures';

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

/* Request bodies as the activities send them (see domain/step-requests.ts); checked loosely. */
type Body = Record<string, any>;

/**
 * The registers the agencies keep: civil-status records, personal ID numbers, residence records,
 * cards and benefit decisions. Issues identifiers in their real formats and never the same number
 * twice; a cancelled ID number is never issued again.
 */
export class AgencyRegistry {
  private readonly births = new Map<string, Body>();
  private readonly deaths = new Set<string>();
  private readonly personalIds = new Map<string, 'ACTIVE' | 'CANCELLED'>();
  private readonly residences = new Set<string>();
  private readonly insuranceCodes = new Set<string>();
  private readonly sequences = new Map<string, number>();

  private next(series: string): number {
    const value = (this.sequences.get(series) ?? 0) + 1;
    this.sequences.set(series, value);
    return value;
  }

  private requireActiveId(id: string): void {
    if (this.personalIds.get(id) !== 'ACTIVE') {
      throw new SimulatedRefusal('PERSONAL_ID_NOT_FOUND', 'personal ID number unknown to the population database');
    }
  }

  readonly acts: { [S in StepCode]: (body: Body) => StepResults[S] } = {
    BIRTH_REGISTRATION: (body) => {
      const year = new Date().getUTCFullYear();
      const book = `${body.jurisdiction.communeCode}/${year}`;
      const page = this.next(`birth:${book}`);
      const registrationNumber = `KS-${body.jurisdiction.communeCode}-${year}-${String(page).padStart(6, '0')}`;
      this.births.set(registrationNumber, body);
      return { registrationNumber, book, page, registeredOn: today() };
    },
    PERSONAL_ID: (body) => {
      const birth = this.births.get(body.birthRegistrationNumber);
      if (!birth) throw new SimulatedRefusal('BIRTH_RECORD_NOT_FOUND', 'no civil-status record with that registration number');
      if (birth.child.dateOfBirth !== body.dateOfBirth || birth.child.sex !== body.sex) {
        throw new SimulatedRefusal('DATA_MISMATCH', 'date of birth or sex differs from the civil-status record');
      }
      const prefix = personalIdPrefix(body.provinceCode, parseIsoDate(body.dateOfBirth).year, body.sex as Sex);
      let id: string;
      do id = `${prefix}${randomDigits(6)}`;
      while (this.personalIds.has(id));
      this.personalIds.set(id, 'ACTIVE');
      return { personalIdNumber: id, issuedAt: new Date().toISOString() };
    },
    PERMANENT_RESIDENCE: (body) => {
      this.requireActiveId(body.personalIdNumber);
      if (!body.headOfHouseholdConsent) throw new SimulatedRefusal('HOUSEHOLD_CONSENT_MISSING', "the head of household's consent is required");
      const residenceRecordNumber = `TT-${body.address.provinceCode}-${String(this.next('residence')).padStart(8, '0')}`;
      this.residences.add(residenceRecordNumber);
      return { residenceRecordNumber, registeredOn: today() };
    },
    CHILD_HEALTH_INSURANCE: (body) => {
      this.requireActiveId(body.personalIdNumber);
      const birth = parseIsoDate(body.dateOfBirth);
      if (!isUnderSix(birth, parseIsoDate(today()))) throw new SimulatedRefusal('NOT_UNDER_SIX', 'the child is 6 or older');
      let code: string;
      do code = `${body.provinceCode}${randomDigits(8)}`;
      while (this.insuranceCodes.has(code));
      this.insuranceCodes.add(code);
      return { cardNumber: childCardNumber(1, body.provinceCode, code), socialInsuranceCode: code, validFrom: today(), validUntil: childCardValidUntil(birth) };
    },
    DEATH_REGISTRATION: (body) => {
      if (this.deaths.has(body.deceased.personalIdNumber)) throw new SimulatedRefusal('DEATH_ALREADY_REGISTERED', 'this death is already registered');
      this.deaths.add(body.deceased.personalIdNumber);
      const year = new Date().getUTCFullYear();
      const sequence = this.next(`death:${body.jurisdiction.communeCode}/${year}`);
      return { registrationNumber: `KT-${body.jurisdiction.communeCode}-${year}-${String(sequence).padStart(6, '0')}`, registeredOn: today() };
    },
    RESIDENCE_REMOVAL: () => ({ removalRecordNumber: `XTT-${String(this.next('removal')).padStart(8, '0')}`, removedOn: today() }),
    FUNERAL_ALLOWANCE: (body) => ({
      decisionNumber: `MTP-${String(this.next('funeral')).padStart(8, '0')}`,
      decidedOn: today(),
      amount: body.amount,
      category: body.category,
    }),
    SURVIVOR_BENEFIT: (body) => ({
      decisionNumber: `TT-${String(this.next('survivor')).padStart(8, '0')}`,
      decidedOn: today(),
      // A flat illustrative monthly amount per survivor; real amounts come from BHXH's own rules.
      monthlyAmount: 1_170_000 * body.survivors.length,
      beneficiaries: body.survivors.length,
    }),
  };

  /** Undoing an act: a cancelled ID number stays reserved so it is never issued to anyone else. */
  undo(step: StepCode, result: unknown): void {
    if (step === 'PERSONAL_ID') this.personalIds.set((result as StepResults['PERSONAL_ID']).personalIdNumber, 'CANCELLED');
  }

  /** How many numbers each register has issued: lets tests prove no retry issued a second one. */
  counts(): { births: number; personalIds: number; cancelledPersonalIds: number; residences: number; cards: number; deaths: number } {
    return {
      births: this.births.size,
      personalIds: this.personalIds.size,
      cancelledPersonalIds: [...this.personalIds.values()].filter((s) => s === 'CANCELLED').length,
      residences: this.residences.size,
      cards: this.insuranceCodes.size,
      deaths: this.deaths.size,
    };
  }
}
