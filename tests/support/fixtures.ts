import type { BirthIntake } from '../../domain/intake';

let sequence = 0;

/** A complete, valid birth-group intake; each call gets a fresh dossier number. */
export function birthIntake(overrides: Partial<BirthIntake> = {}): BirthIntake {
  sequence += 1;
  const today = new Date();
  const born = new Date(today.getTime() - 10 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  return {
    group: 'BIRTH',
    dossierNumber: `H79.26734-${Date.now().toString(36)}-${process.pid}-${sequence}`,
    jurisdiction: { provinceCode: '79', communeCode: '26734' },
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
      residence: { line: '12 Nguyễn Trãi', communeCode: '26734', provinceCode: '79' },
    },
    father: {
      fullName: 'Nguyễn Văn Cường',
      personalIdNumber: '079092004321',
      ethnicity: 'Kinh',
      nationality: 'Việt Nam',
      residence: { line: '12 Nguyễn Trãi', communeCode: '26734', provinceCode: '79' },
    },
    requester: { fullName: 'Trần Thị Bích', personalIdNumber: '079195001234', relationship: 'MOTHER' },
    birthCertificate: { number: 'CS-2026-004512', issuedBy: 'Bệnh viện Từ Dũ', issuedOn: born },
    residence: { line: '12 Nguyễn Trãi', communeCode: '26734', provinceCode: '79', headOfHouseholdConsent: true },
    healthInsurance: { initialFacilityCode: '79024' },
    ...overrides,
  };
}
