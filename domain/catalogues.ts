import { currentDefinition, type ProcedureGroup, type StepCode } from './procedures';

/**
 * The catalogues officers and clerks pick from instead of typing codes: why a step is refused, and the
 * documents a step may ask for or receive. Each code carries its Vietnamese label here, once; the API
 * validates against these lists and the console shows these labels.
 *
 * Imported by the console and the API: keep this module pure (no I/O, no Node APIs).
 */

// ── Refusal reasons ──────────────────────────────────────────────────────────────────────────────

export const refusalReasons = {
  INCOMPLETE_DOSSIER: 'Hồ sơ chưa đầy đủ giấy tờ theo quy định',
  DATA_MISMATCH: 'Thông tin không khớp với cơ sở dữ liệu',
  PARENTS_NOT_IDENTIFIED: 'Không xác định được thông tin cha, mẹ',
  BIRTH_RECORD_NOT_FOUND: 'Không tìm thấy dữ liệu đăng ký khai sinh',
  PERSONAL_ID_NOT_FOUND: 'Không tìm thấy số định danh cá nhân',
  HOUSEHOLD_CONSENT_MISSING: 'Thiếu ý kiến đồng ý của chủ hộ',
  RESIDENCE_NOT_LAWFUL: 'Chỗ ở không đủ điều kiện đăng ký thường trú',
  NOT_UNDER_SIX: 'Trẻ không thuộc diện dưới 6 tuổi',
  NOT_ELIGIBLE: 'Không thuộc đối tượng được hưởng',
  DEATH_ALREADY_REGISTERED: 'Việc khai tử đã được đăng ký trước đó',
  SUPPLEMENT_NOT_PROVIDED: 'Không bổ sung hồ sơ trong thời hạn',
  ALREADY_USED: 'Kết quả đã được sử dụng, không thể hủy',
} as const satisfies Record<string, string>;
export type RefusalReason = keyof typeof refusalReasons;
export const refusalReasonCodes = Object.keys(refusalReasons) as [RefusalReason, ...RefusalReason[]];

/** The reasons an officer may give: the lapsed supplement period is the workflow's own refusal, never chosen. */
export const officerRefusalReasons = refusalReasonCodes.filter((code) => code !== 'SUPPLEMENT_NOT_PROVIDED');

// ── Documents ────────────────────────────────────────────────────────────────────────────────────

export const documentTypes = {
  BIRTH_CERTIFICATE: 'Giấy chứng sinh (bản chính)',
  MARRIAGE_CERTIFICATE: 'Giấy chứng nhận kết hôn của cha mẹ',
  PARENT_IDENTITY: 'Giấy tờ tùy thân của cha, mẹ',
  REQUESTER_IDENTITY: 'Giấy tờ tùy thân của người đi đăng ký',
  AUTHORIZATION_LETTER: 'Văn bản ủy quyền',
  HOUSEHOLD_CONSENT: 'Văn bản đồng ý của chủ hộ',
  LAWFUL_RESIDENCE_PROOF: 'Giấy tờ chứng minh chỗ ở hợp pháp',
  HEALTH_FACILITY_DECLARATION: 'Tờ khai chọn nơi khám chữa bệnh ban đầu',
  DEATH_NOTICE: 'Giấy báo tử',
  DECEASED_IDENTITY: 'Giấy tờ tùy thân của người đã mất',
  BENEFICIARY_CATEGORY_PROOF: 'Giấy tờ chứng minh đối tượng hưởng',
  SOCIAL_INSURANCE_BOOK: 'Sổ bảo hiểm xã hội của người đã mất',
  SURVIVOR_RELATIONSHIP_PROOF: 'Giấy tờ chứng minh quan hệ thân nhân',
  BANK_ACCOUNT_PROOF: 'Giấy tờ tài khoản nhận tiền',
} as const satisfies Record<string, string>;
export type DocumentType = keyof typeof documentTypes;
export const documentTypeCodes = Object.keys(documentTypes) as [DocumentType, ...DocumentType[]];

/** The documents each step may ask the citizen for (TTLT 05/2015, NĐ 63/2024 and the agencies' own rules). */
export const stepDocuments: Record<StepCode, readonly DocumentType[]> = {
  BIRTH_REGISTRATION: ['BIRTH_CERTIFICATE', 'MARRIAGE_CERTIFICATE', 'PARENT_IDENTITY', 'REQUESTER_IDENTITY', 'AUTHORIZATION_LETTER'],
  PERSONAL_ID: ['BIRTH_CERTIFICATE', 'PARENT_IDENTITY'],
  PERMANENT_RESIDENCE: ['HOUSEHOLD_CONSENT', 'LAWFUL_RESIDENCE_PROOF', 'PARENT_IDENTITY'],
  CHILD_HEALTH_INSURANCE: ['HEALTH_FACILITY_DECLARATION', 'PARENT_IDENTITY'],
  DEATH_REGISTRATION: ['DEATH_NOTICE', 'DECEASED_IDENTITY', 'REQUESTER_IDENTITY', 'AUTHORIZATION_LETTER'],
  RESIDENCE_REMOVAL: ['DEATH_NOTICE', 'DECEASED_IDENTITY'],
  FUNERAL_ALLOWANCE: ['BENEFICIARY_CATEGORY_PROOF', 'SOCIAL_INSURANCE_BOOK', 'BANK_ACCOUNT_PROOF', 'REQUESTER_IDENTITY'],
  SURVIVOR_BENEFIT: ['SOCIAL_INSURANCE_BOOK', 'SURVIVOR_RELATIONSHIP_PROOF', 'BANK_ACCOUNT_PROOF'],
};

/**
 * The documents a dossier of a procedure group may carry as attachments (scans brought at intake or as a
 * supplement): every document one of its steps takes, in catalogue order.
 */
export function procedureDocuments(group: ProcedureGroup): DocumentType[] {
  const taken = new Set(currentDefinition(group).steps.flatMap((step) => stepDocuments[step.code]));
  return documentTypeCodes.filter((code) => taken.has(code));
}

/** The documents of `documents` that `step` does not take, for a refusal naming each. */
export function documentsNotOfStep(step: StepCode, documents: readonly string[]): string[] {
  return documents.filter((d) => !(stepDocuments[step] as readonly string[]).includes(d));
}

/**
 * An officer's supplement request as the desk and the citizen read it: the documents by their labels,
 * then the officer's note. Stored as the request's reason, so every place that shows it says the same.
 */
export function supplementRequestText(documents: readonly DocumentType[], note?: string): string {
  const listed = documents.length > 0 ? `Cần bổ sung: ${documents.map((d) => documentTypes[d]).join('; ')}.` : '';
  return [listed, note?.trim() ?? ''].filter(Boolean).join(' ');
}
