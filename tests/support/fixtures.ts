import { randomInt } from 'node:crypto';
import { personalIdPrefix } from '../../domain/identifiers';
import type { BirthIntake, DeathIntake } from '../../domain/intake';
import { createWorkingCalendar } from '../../domain/working-days';

let sequence = 0;

/** A complete, valid birth-group intake; each call gets a fresh dossier number. */
export function birthIntake(overrides: Partial<BirthIntake> = {}): BirthIntake {
  sequence += 1;
  const today = new Date();
  const born = new Date(today.getTime() - 10 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  return {
    group: 'BIRTH',
    dossierNumber: `H79.26743-${Date.now().toString(36)}-${process.pid}-${sequence}`,
    jurisdiction: { provinceCode: '79', communeCode: '26743' },
    procedures: { permanentResidence: true, healthInsurance: true },
    child: {
      fullName: 'Nguyễn Minh An',
      sex: 'FEMALE',
      dateOfBirth: born,
      placeOfBirth: 'Bệnh viện Từ Dũ, Thành phố Hồ Chí Minh',
      ethnicity: 'Kinh',
      nationality: 'Việt Nam',
      homeTown: 'Thành phố Hồ Chí Minh',
    },
    mother: {
      fullName: 'Trần Thị Bích',
      personalIdNumber: '079195001234',
      ethnicity: 'Kinh',
      nationality: 'Việt Nam',
      residence: { line: '12 Nguyễn Trãi', communeCode: '26743', provinceCode: '79' },
    },
    father: {
      fullName: 'Nguyễn Văn Cường',
      personalIdNumber: '079092004321',
      ethnicity: 'Kinh',
      nationality: 'Việt Nam',
      residence: { line: '12 Nguyễn Trãi', communeCode: '26743', provinceCode: '79' },
    },
    requester: { fullName: 'Trần Thị Bích', personalIdNumber: '079195001234', relationship: 'MOTHER' },
    birthCertificate: { number: 'CS-2026-004512', issuedBy: 'Bệnh viện Từ Dũ', issuedOn: born },
    residence: { line: '12 Nguyễn Trãi', communeCode: '26743', provinceCode: '79', headOfHouseholdConsent: true },
    healthInsurance: { initialFacilityCode: '79024' },
    ...overrides,
  };
}

/** A complete, valid death-group intake with all four procedures. */
export function deathIntake(overrides: Partial<DeathIntake> = {}): DeathIntake {
  sequence += 1;
  const died = new Date(Date.now() - 3 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  return {
    group: 'DEATH',
    dossierNumber: `K79.26743-${Date.now().toString(36)}-${process.pid}-${sequence}`,
    jurisdiction: { provinceCode: '79', communeCode: '26743' },
    procedures: { residenceRemoval: true, funeralAllowance: true, survivorBenefit: true },
    deceased: {
      fullName: 'Lê Văn Đức',
      // Unique per dossier: the civil-status register refuses a second death of the same person.
      personalIdNumber: `0790450${String(sequence).padStart(5, '0')}`,
      sex: 'MALE',
      dateOfBirth: '1945-03-12',
      dateOfDeath: died,
      placeOfDeath: 'Bệnh viện Chợ Rẫy',
      cause: 'Bệnh tuổi già',
    },
    deathNotice: { number: 'BT-2026-00871', issuedBy: 'Bệnh viện Chợ Rẫy', issuedOn: died },
    requester: { fullName: 'Lê Thị Hoa', personalIdNumber: '079175009876', relationship: 'CHILD' },
    funeralAllowance: {
      categories: ['INSURED_OR_PENSIONER', 'SOCIAL_PROTECTION_BENEFICIARY'],
      payee: { fullName: 'Lê Thị Hoa', personalIdNumber: '079175009876', bankAccount: { bankCode: 'VCB', accountNumber: '0071000123456' } },
    },
    survivorBenefit: { survivors: [{ fullName: 'Phạm Thị Lan', personalIdNumber: '079150001111', relationship: 'SPOUSE', dateOfBirth: '1950-06-01' }] },
    ...overrides,
  };
}

/** A personal ID number an officer could issue for this child of the test commune's province (random serial). */
export function personalIdFor(child: { dateOfBirth: string; sex: 'MALE' | 'FEMALE' }): string {
  return `${personalIdPrefix('79', Number(child.dateOfBirth.slice(0, 4)), child.sex)}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
}

/**
 * A reception date at least `daysAgo` days back whose deadline of `workingDays` working days ended a
 * day ago or more: late, whatever the weekday and however long a holiday break lies behind today.
 */
export function receivedLate(daysAgo = 8, workingDays = 3): string {
  const calendar = createWorkingCalendar();
  const day = 86_400_000;
  for (let back = daysAgo; ; back++) {
    const at = new Date(Date.now() - back * day);
    if (calendar.dueAt(at, workingDays).getTime() < Date.now() - day) return at.toISOString();
  }
}
