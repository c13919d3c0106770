import type { DocumentType } from './catalogues';
import type { Intake } from './intake';
import { civilStatusOfficeName } from './jurisdiction';

/**
 * What the citizen's receipt (giấy tiếp nhận hồ sơ và hẹn trả kết quả) names besides the number and the
 * appointment: who applied, the office that received the dossier, and the documents handed in.
 */
export interface ReceiptSlipData {
  applicant: string;
  office: string;
  documents: DocumentType[];
}

/**
 * The documents an intake stands on, as the desk received them (codes of the catalogue): what the
 * intake records a number or a consent for, and the identity papers of each person it names.
 */
export function receivedDocuments(intake: Intake): DocumentType[] {
  if (intake.group === 'BIRTH') {
    return [
      'BIRTH_CERTIFICATE',
      'PARENT_IDENTITY',
      'REQUESTER_IDENTITY',
      ...(intake.procedures.permanentResidence && intake.residence?.headOfHouseholdConsent ? (['HOUSEHOLD_CONSENT'] as const) : []),
      ...(intake.procedures.healthInsurance ? (['HEALTH_FACILITY_DECLARATION'] as const) : []),
    ];
  }
  const benefits = intake.procedures.funeralAllowance || intake.procedures.survivorBenefit;
  return [
    'DEATH_NOTICE',
    'DECEASED_IDENTITY',
    'REQUESTER_IDENTITY',
    ...(intake.procedures.funeralAllowance ? (['BENEFICIARY_CATEGORY_PROOF'] as const) : []),
    ...(intake.procedures.survivorBenefit ? (['SURVIVOR_RELATIONSHIP_PROOF'] as const) : []),
    ...(benefits ? (['BANK_ACCOUNT_PROOF'] as const) : []),
  ];
}

export function receiptSlip(intake: Intake): ReceiptSlipData {
  return { applicant: intake.requester.fullName, office: civilStatusOfficeName(intake.jurisdiction), documents: receivedDocuments(intake) };
}
