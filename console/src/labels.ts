import { documentTypes, refusalReasons, type DocumentType, type RefusalReason } from '../../domain/catalogues';
import type { JurisdictionScope, PrincipalRole } from '../../domain/principal';
import { communeOf, placeName, provinceName } from '../../domain/jurisdiction';
import type { Action } from '../../domain/authorization';
import type { FuneralCategory } from '../../domain/funeral-allowance';
import type { NotificationChannel } from '../../domain/intake';
import type { dossierNotificationEvents } from '../../domain/notification-templates';
import type { IncidentDecision, IncidentKind } from '../../workflows/contract';
import type { AgencyRole, ProcedureGroup, StepCode } from '../../domain/procedures';
import type { DossierStatus, StepStatus, TaskKind, TaskStatus } from '../../domain/statuses';
import { classifyIncidentError, type IncidentErrorType } from '../../domain/incident-errors';
import type { StopStatus } from '../../api/stopping-dossiers';
import type { OwedStepStatus } from '../../api/stuck-dossiers';

/**
 * Every word the console shows for a code of the API, in Vietnamese. Typed by the domain's lists: a status
 * added there without its label here fails `npm run typecheck`.
 */
export const groupLabel: Record<ProcedureGroup, string> = {
  BIRTH: 'Khai sinh liên thông',
  DEATH: 'Khai tử liên thông',
};

export const stepLabel: Record<StepCode, string> = {
  BIRTH_REGISTRATION: 'Đăng ký khai sinh',
  PERSONAL_ID: 'Cấp số định danh cá nhân',
  PERMANENT_RESIDENCE: 'Đăng ký thường trú',
  CHILD_HEALTH_INSURANCE: 'Cấp thẻ BHYT trẻ em dưới 6 tuổi',
  DEATH_REGISTRATION: 'Đăng ký khai tử',
  RESIDENCE_REMOVAL: 'Xóa đăng ký thường trú',
  FUNERAL_ALLOWANCE: 'Trợ cấp mai táng',
  SURVIVOR_BENEFIT: 'Trợ cấp tuất',
};

export const agencyLabel: Record<AgencyRole, string> = {
  CIVIL_STATUS: 'Tư pháp – hộ tịch (UBND xã)',
  POPULATION_DATABASE: 'Cơ sở dữ liệu quốc gia về dân cư',
  COMMUNE_POLICE: 'Công an xã',
  SOCIAL_SECURITY: 'Bảo hiểm xã hội',
  SOCIAL_AFFAIRS: 'Cơ quan lao động – xã hội',
  MERITORIOUS_SERVICE: 'Cơ quan quản lý người có công',
};

export const roleLabel: Record<PrincipalRole, string> = {
  CLERK: 'Cán bộ một cửa',
  AGENCY_OFFICER: 'Cán bộ cơ quan',
  AGENCY_SYSTEM: 'Hệ thống của cơ quan',
  SUPERVISOR: 'Giám sát viên',
  PORTAL: 'Cổng Dịch vụ công quốc gia',
};

export interface Label {
  text: string;
  color: string;
}

export const dossierStatusLabel: Record<DossierStatus, Label> = {
  RECEIVED: { text: 'Đã tiếp nhận', color: 'default' },
  IN_PROGRESS: { text: 'Đang xử lý', color: 'processing' },
  COMPLETED: { text: 'Hoàn thành', color: 'success' },
  PARTIALLY_COMPLETED: { text: 'Hoàn thành một phần', color: 'warning' },
  REFUSED: { text: 'Bị từ chối', color: 'error' },
  WITHDRAWN: { text: 'Đã rút hồ sơ', color: 'default' },
  CANCELLED: { text: 'Đã hủy', color: 'default' },
};

export const stepStatusLabel: Record<StepStatus, Label> = {
  PENDING: { text: 'Chờ bước trước', color: 'default' },
  RUNNING: { text: 'Đang xử lý', color: 'processing' },
  WAITING_FOR_SUPPLEMENT: { text: 'Chờ công dân bổ sung', color: 'warning' },
  INCIDENT: { text: 'Sự cố – chờ giám sát', color: 'error' },
  COMPLETED: { text: 'Hoàn thành', color: 'success' },
  REFUSED: { text: 'Bị từ chối', color: 'error' },
  BLOCKED: { text: 'Không thực hiện được', color: 'default' },
  SKIPPED: { text: 'Bỏ qua', color: 'default' },
  CANCELLED: { text: 'Đã hủy', color: 'default' },
  COMPENSATED: { text: 'Đã hủy kết quả (hoàn tác)', color: 'purple' },
  COMPENSATION_SKIPPED: { text: 'Không cần hủy kết quả', color: 'default' },
};

/** A withdrawn or cancelled group still waiting for agencies to undo what they already did. */
export const stoppingLabel: Record<StopStatus, Label> = {
  WITHDRAWN: { text: 'Đang rút, chờ hủy kết quả', color: 'orange' },
  CANCELLED: { text: 'Đang hủy, chờ hủy kết quả', color: 'orange' },
};

/** The dossier's state in words: a stopping group says so rather than "in progress". */
export function dossierStateLabel(status: DossierStatus, stopping: StopStatus | null | undefined): Label {
  return stopping ? stoppingLabel[stopping] : dossierStatusLabel[status];
}

/** What the stuck list says a dossier owes at a step. */
export const owedStepLabel: Record<OwedStepStatus, Label> = {
  RUNNING: stepStatusLabel.RUNNING,
  WAITING_FOR_SUPPLEMENT: stepStatusLabel.WAITING_FOR_SUPPLEMENT,
  INCIDENT: stepStatusLabel.INCIDENT,
  UNDO_REQUESTED: { text: 'Chờ cơ quan hủy kết quả đã cấp', color: 'orange' },
};

/** Why incidents opened, as the supervisors' groups name them. */
export const incidentErrorTypeLabel: Record<IncidentErrorType, string> = {
  UNDO_REFUSED: 'Cơ quan từ chối hủy kết quả',
  AGENCY_UNAVAILABLE: 'Hệ thống của cơ quan không hoạt động hoặc quá tải',
  AGENCY_TIMEOUT: 'Hệ thống của cơ quan không trả lời kịp',
  AGENCY_UNREACHABLE: 'Không kết nối được hệ thống của cơ quan',
  AGENCY_PROTOCOL: 'Hệ thống của cơ quan trả lời không đúng quy ước',
  SUPERSEDED: 'Lần xử lý này đã được thay bằng lần sau',
  OTHER: 'Lỗi kỹ thuật khác',
};

/** An announcement to the citizen: what it told, and whether the gateway took it. */
export const announcementEventLabel: Record<(typeof dossierNotificationEvents)[number], string> = {
  STEP_COMPLETED: 'Thủ tục hoàn thành',
  STEP_REFUSED: 'Thủ tục bị từ chối',
  SUPPLEMENT_REQUESTED: 'Yêu cầu bổ sung',
  GROUP_ENDED: 'Hồ sơ kết thúc',
  APPOINTMENT_RESCHEDULED: 'Xin lỗi, hẹn lại ngày trả kết quả',
  VERIFICATION_EXTENDED: 'Cần xác minh, gia hạn giải quyết',
};
export const announcementStatusLabel: Record<string, { text: string; color: string }> = {
  DELIVERED: { text: 'Đã gửi', color: 'success' },
  PENDING: { text: 'Đang gửi', color: 'processing' },
  FAILED: { text: 'Gửi không được', color: 'error' },
  SKIPPED: { text: 'Không gửi (không có liên hệ)', color: 'default' },
};
export const channelLabel: Record<NotificationChannel, string> = { SMS: 'SMS', EMAIL: 'Thư điện tử', VNEID: 'VNeID' };

/** The citizen's view of a step (POST /v1/public/dossier-status), in the words of a receipt. */
export const citizenStepStatusLabel: Record<string, { text: string; color: string }> = {
  WAITING: { text: 'Chờ bước trước', color: 'default' },
  IN_PROGRESS: { text: 'Đang xử lý', color: 'processing' },
  WAITING_FOR_CITIZEN: { text: 'Cần bổ sung hồ sơ', color: 'warning' },
  COMPLETED: { text: 'Đã xong', color: 'success' },
  REFUSED: { text: 'Không được giải quyết', color: 'error' },
  NOT_PERFORMED: { text: 'Không thực hiện', color: 'default' },
  UNDONE: { text: 'Kết quả đã bị hủy', color: 'purple' },
};

/** What the citizen is asked to do, as a sentence. */
export const citizenActionText: Record<string, string | null> = {
  NONE: null,
  BRING_SUPPLEMENT: 'Cơ quan cần thêm giấy tờ: mời ông/bà đến bộ phận một cửa nơi nộp hồ sơ để được hướng dẫn và bổ sung',
  CONTACT_DESK: 'Mời ông/bà liên hệ bộ phận một cửa nơi nộp hồ sơ để biết lý do và cách giải quyết',
};

export const taskStatusLabel: Record<TaskStatus, Label> = {
  OPEN: { text: 'Chưa nhận', color: 'blue' },
  CLAIMED: { text: 'Đã nhận xử lý', color: 'processing' },
  DONE: { text: 'Đã xong', color: 'success' },
  CANCELLED: { text: 'Đã hủy', color: 'default' },
};

export const taskKindLabel: Record<TaskKind, string> = { ACT: 'Thực hiện', UNDO: 'Hủy kết quả đã cấp' };

export const incidentKindLabel: Record<IncidentKind, string> = {
  STEP: 'Bước thất bại',
  COMPENSATION: 'Hủy kết quả thất bại',
  BOOKKEEPING: 'Ghi sổ thất bại',
};

export const decisionLabel: Record<IncidentDecision, string> = { RETRY: 'Thử lại', SKIP: 'Bỏ qua bước', CANCEL_GROUP: 'Hủy cả nhóm thủ tục' };

/** The catalogues' labels, from the domain where the API checks the codes. */
export const refusalReasonLabel: Record<RefusalReason, string> = refusalReasons;
export const documentLabel: Record<DocumentType, string> = documentTypes;

/** A refusal code as a person reads it; an agency's own code (its system refused) stays unnamed. */
export function refusalText(code: string): string {
  return code in refusalReasons ? refusalReasons[code as RefusalReason] : 'Lý do riêng của cơ quan';
}

/** What an officer's decision records: the task's outcome. */
export const taskOutcomeLabel: Record<'COMPLETED' | 'REFUSED' | 'SUPPLEMENT_REQUESTED', string> = {
  COMPLETED: 'Hoàn thành',
  REFUSED: 'Từ chối',
  SUPPLEMENT_REQUESTED: 'Yêu cầu bổ sung',
};

/** The task's end, as a sentence on its page. */
export const taskEndedText: Record<Exclude<TaskStatus, 'OPEN' | 'CLAIMED'>, string> = {
  DONE: 'Nhiệm vụ đã xong.',
  CANCELLED: 'Nhiệm vụ đã bị hủy (nhóm thủ tục đã dừng).',
};

/** The dossier's journal: what the workflow recorded, by the event types of the read model. */
const stepEventLabel: Record<`STEP_${StepStatus}`, string> = {
  STEP_PENDING: 'Bước chờ bước trước',
  STEP_RUNNING: 'Bắt đầu xử lý bước',
  STEP_WAITING_FOR_SUPPLEMENT: 'Chờ công dân bổ sung',
  STEP_INCIDENT: 'Bước gặp sự cố',
  STEP_COMPLETED: 'Bước hoàn thành',
  STEP_REFUSED: 'Bước bị từ chối',
  STEP_BLOCKED: 'Bước không thực hiện được',
  STEP_SKIPPED: 'Bước được bỏ qua',
  STEP_CANCELLED: 'Bước bị hủy',
  STEP_COMPENSATED: 'Đã hủy kết quả của bước',
  STEP_COMPENSATION_SKIPPED: 'Không cần hủy kết quả',
};
const workflowEventLabel: Record<string, string> = {
  ...stepEventLabel,
  DOSSIER_RECEIVED: 'Tiếp nhận hồ sơ',
  STEP_NOTHING_TO_UNDO: 'Không có kết quả cần hủy',
  SUPPLEMENT_REQUESTED: 'Yêu cầu công dân bổ sung',
  SUPPLEMENT_RECEIVED: 'Đã nhận giấy tờ bổ sung',
  INCIDENT_OPENED: 'Mở sự cố',
  INCIDENT_RESOLVED: 'Đã xử lý sự cố',
  GROUP_ENDED: 'Nhóm thủ tục kết thúc',
  ESCALATED: 'Báo cáo quá hạn',
  APOLOGY_ISSUED: 'Xin lỗi và hẹn lại ngày trả kết quả',
  VERIFICATION_DECLARED: 'Thông báo cần xác minh, gia hạn giải quyết',
  TASK_OPENED: 'Chuyển nhiệm vụ cho cán bộ',
  COMPENSATION_REQUESTED: 'Yêu cầu cơ quan hủy kết quả',
  COMPENSATION_REFUSED: 'Cơ quan từ chối hủy kết quả',
};

/** People's acts, by the audit's action names (the permission they used, or the act on a task). */
const auditActionLabel: Record<Exclude<Action, `${string}.read` | `${string}.list` | 'dossier.readAnnouncements'> | `task.${'unclaim' | 'reassign'}` | `dossier.${'issueReceiptCode' | 'cancelRegistration' | 'attach'}` | `incident.${'retry' | 'skip' | 'cancel_group'}` | 'portal.requeueMessages', string> = {
  'dossier.submit': 'Tiếp nhận hồ sơ',
  'dossier.submitOnline': 'Nộp hồ sơ trực tuyến (Cổng dịch vụ công)',
  'dossier.withdraw': 'Rút hồ sơ',
  'dossier.supplement': 'Nộp giấy tờ bổ sung',
  'dossier.attach': 'Đính kèm bản quét giấy tờ',
  'dossier.issueReceiptCode': 'Cấp mã tra cứu mới',
  'dossier.cancelRegistration': 'Hủy đăng ký',
  'task.claim': 'Nhận xử lý nhiệm vụ',
  'task.unclaim': 'Trả lại nhiệm vụ',
  'task.reassign': 'Giao lại nhiệm vụ',
  'task.complete': 'Hoàn thành nhiệm vụ',
  'task.refuse': 'Từ chối',
  'task.requestSupplement': 'Yêu cầu bổ sung',
  'task.apologise': 'Xin lỗi, hẹn lại ngày trả kết quả',
  'task.declareVerification': 'Thông báo cần xác minh',
  'supervision.act': 'Thao tác giám sát',
  'notice.submit': 'Gửi thông báo khai sinh/khai tử',
  'notice.confirm': 'Hoàn thiện hồ sơ nháp',
  'incident.retry': 'Thử lại sự cố',
  'incident.skip': 'Bỏ qua bước có sự cố',
  'incident.cancel_group': 'Hủy nhóm thủ tục do sự cố',
  'portal.requeueMessages': 'Gửi lại tin nhắn trạng thái lên Cổng Dịch vụ công',
};

/** An entry of the dossier's journal, in words; a type this console does not know yet is said to be one. */
export function timelineEventText(type: string): string {
  return workflowEventLabel[type] ?? (auditActionLabel as Record<string, string>)[type] ?? 'Sự kiện khác';
}

/** "CLERK:dev-clerk-79-26743" → "Cán bộ một cửa dev-clerk-79-26743". */
export function principalText(actor: string | null): string {
  if (!actor) return '';
  const [role, ...subject] = actor.split(':');
  const label = roleLabel[role as PrincipalRole];
  return label ? `${label} ${subject.join(':')}` : actor;
}

/** Why a step or an undo stopped, as a supervisor reads it: the agency's technical message made plain. */
export function incidentText(lastError: string | null | undefined, agency?: string): string {
  if (!lastError) return '';
  const { type, match } = classifyIncidentError(lastError);
  if (type === 'UNDO_REFUSED' && match) {
    const agencyName = (agency && agencyLabel[agency as AgencyRole]) || 'Cơ quan';
    return `${agencyLabel[match[1] as AgencyRole] ?? agencyName} từ chối hủy kết quả “${stepLabel[match[2] as StepCode] ?? 'bước'}”: ${refusalText(match[3]!)}`;
  }
  return type === 'OTHER' ? 'Lỗi kỹ thuật (chi tiết khi rê chuột)' : incidentErrorTypeLabel[type];
}

/** Labels of the result fields an agency enters when it completes its step. */
export const resultFieldLabel: Record<string, string> = {
  registrationNumber: 'Số đăng ký',
  book: 'Quyển số',
  page: 'Trang số',
  registeredOn: 'Ngày đăng ký',
  personalIdNumber: 'Số định danh cá nhân',
  issuedAt: 'Thời điểm cấp',
  residenceRecordNumber: 'Số hồ sơ cư trú',
  cardNumber: 'Mã thẻ BHYT',
  socialInsuranceCode: 'Mã số BHXH',
  validFrom: 'Giá trị từ ngày',
  validUntil: 'Giá trị đến ngày',
  removalRecordNumber: 'Số hồ sơ xóa thường trú',
  removedOn: 'Ngày xóa',
  decisionNumber: 'Số quyết định',
  decidedOn: 'Ngày quyết định',
  amount: 'Số tiền (đồng)',
  category: 'Đối tượng',
  monthlyAmount: 'Mức hằng tháng (đồng)',
  beneficiaries: 'Số người hưởng',
  reference: 'Số văn bản hủy',
};

export const relationshipLabel: Record<string, string> = {
  MOTHER: 'Mẹ',
  FATHER: 'Cha',
  SPOUSE: 'Vợ/chồng',
  CHILD: 'Con',
  GRANDPARENT: 'Ông/bà',
  SIBLING: 'Anh/chị/em',
  RELATIVE: 'Họ hàng',
  OTHER: 'Khác',
  PARENT: 'Cha/mẹ',
  OTHER_DEPENDANT: 'Người phụ thuộc khác',
};

export const funeralCategoryLabel: Record<FuneralCategory, string> = {
  INSURED_OR_PENSIONER: 'Người tham gia/hưởng BHXH, lương hưu',
  SOCIAL_PROTECTION_BENEFICIARY: 'Đối tượng bảo trợ xã hội',
  MERITORIOUS_SERVICE: 'Người có công với cách mạng',
};

/** The API's field reasons, in Vietnamese; an unknown one is shown as the API wrote it. */
const reasonText: [RegExp, string][] = [
  [/^required$|^Required$|expected .*, received undefined/i, 'Bắt buộc'],
  [/^too short$/, 'Quá ngắn'],
  [/^too long$/, 'Quá dài'],
  [/expected a date as YYYY-MM-DD|not a calendar date/, 'Ngày không hợp lệ'],
  [/expected a year between/, 'Năm không hợp lệ'],
  [/is in the future/, 'Không được ở tương lai'],
  [/is before the date of birth/, 'Trước ngày sinh'],
  [/expected a 12-digit personal ID number/, 'Số định danh gồm 12 chữ số'],
  [/expected a 5-digit commune code/, 'Mã xã gồm 5 chữ số'],
  [/not a province code/, 'Mã tỉnh không có trong danh mục'],
  [/expected 9–12 digits/, 'Số điện thoại 9–12 chữ số'],
  [/^required for SMS$/, 'Cần số điện thoại để nhận SMS'],
  [/^required for EMAIL$/, 'Cần địa chỉ thư điện tử'],
  [/give a phone, an email or the VNEID channel/, 'Nhập số điện thoại, thư điện tử hoặc chọn VNeID'],
  [/expected an email address/, 'Địa chỉ thư điện tử không hợp lệ'],
  [/must begin with the office code of commune (\d+)\/(\d+), e\.g\. (\S+)/, 'Phải bắt đầu bằng mã cơ quan của xã ($3)'],
  [/the mother or the father is required/, 'Cần thông tin của mẹ hoặc cha'],
  [/required when permanent residence is chosen/, 'Bắt buộc khi chọn đăng ký thường trú'],
  [/required when health insurance is chosen/, 'Bắt buộc khi chọn cấp thẻ BHYT'],
  [/only for a child under 6/, 'Chỉ cho trẻ dưới 6 tuổi'],
  [/choose at least one procedure/, 'Chọn ít nhất một thủ tục ngoài khai tử'],
  [/required when the funeral allowance is chosen/, 'Bắt buộc khi chọn trợ cấp mai táng'],
  [/required when survivor benefits are chosen/, 'Bắt buộc khi chọn trợ cấp tuất'],
  [/at least one/, 'Cần ít nhất một mục'],
  [/expected a 5-digit facility code/, 'Mã cơ sở KCB gồm 5 chữ số'],
  [/expected a bank code/, 'Mã ngân hàng không hợp lệ'],
  [/expected 6–20 digits/, 'Số tài khoản 6–20 chữ số'],
  [/say why, in a few words/, 'Nêu lý do (ít nhất 3 ký tự)'],
  [/the card of a child born \S+ is valid until (\d{4})-(\d{2})-(\d{2})/, 'Theo Luật BHYT, thẻ của trẻ có giá trị đến $3/$2/$1'],
  [/not a refusal reason of the catalogue/, 'Lý do không có trong danh mục'],
  [/not a document of the catalogue/, 'Giấy tờ không có trong danh mục'],
  [/not a document of \w+/, 'Giấy tờ không thuộc thủ tục này'],
  [/name the documents or say why/, 'Chọn giấy tờ cần bổ sung'],
  [/already (used|issued|recorded)/, 'Đã được dùng cho hồ sơ khác'],
  [/must not contain control characters/, 'Có ký tự không hợp lệ'],
  [/expected the 8-character receipt code/, 'Mã tra cứu gồm 8 chữ và số, in trên giấy tiếp nhận'],
  [/expected 6–64 letters, digits/, 'Số hồ sơ gồm chữ, số, dấu chấm, gạch ngang, in trên giấy tiếp nhận'],
  [/Invalid (string|input)|Too small|Too big|Invalid/i, 'Giá trị không hợp lệ'],
];

/** The first table entry matching `english`, its `$1`… filled from the match; undefined when none does. */
function translate(table: [RegExp, string][], english: string): string | undefined {
  for (const [pattern, text] of table) {
    const match = pattern.exec(english);
    if (match) return text.replace(/\$(\d)/g, (_, i: string) => match[Number(i)] ?? '');
  }
  return undefined;
}

export function reasonInVietnamese(reason: string): string {
  return translate(reasonText, reason) ?? reason;
}

/** Words of the request data an agency decides on ("child.fullName" → "Trẻ › Họ và tên"). */
const inputWord: Record<string, string> = {
  jurisdiction: 'Nơi đăng ký', provinceCode: 'Tỉnh/thành phố', communeCode: 'Xã/phường', child: 'Trẻ', deceased: 'Người mất', fullName: 'Họ và tên',
  sex: 'Giới tính', dateOfBirth: 'Ngày sinh', dateOfDeath: 'Ngày mất', placeOfBirth: 'Nơi sinh', placeOfDeath: 'Nơi mất', ethnicity: 'Dân tộc',
  nationality: 'Quốc tịch', homeTown: 'Quê quán', parents: 'Cha mẹ', role: 'Vai trò', personalIdNumber: 'Số định danh', birthCertificateNumber: 'Số giấy chứng sinh',
  birthRegistrationNumber: 'Số đăng ký khai sinh', residence: 'Nơi cư trú', line: 'Địa chỉ', headOfHouseholdConsent: 'Chủ hộ đồng ý', address: 'Địa chỉ',
  initialFacilityCode: 'Mã KCB ban đầu', cause: 'Nguyên nhân', categories: 'Đối tượng', payee: 'Người nhận', bankAccount: 'Tài khoản', bankCode: 'Ngân hàng',
  accountNumber: 'Số tài khoản', survivors: 'Thân nhân', relationship: 'Quan hệ', act: 'Kết quả cần hủy', deathRegistrationNumber: 'Số đăng ký khai tử',
};
const valueWord: Record<string, string> = { MALE: 'Nam', FEMALE: 'Nữ', MOTHER: 'Mẹ', FATHER: 'Cha', true: 'Có', false: 'Không' };

export function inputLabel(path: string): string {
  return path
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? `#${Number(part) + 1}` : (inputWord[part] ?? resultFieldLabel[part] ?? part)))
    .join(' › ');
}

/** A value of the request data in words; a place code (`path` ending in communeCode or provinceCode) by its name. */
export function inputValue(value: string, path = ''): string {
  if (path.endsWith('communeCode')) return communeOf(value)?.name ?? value;
  if (path.endsWith('provinceCode')) return provinceName(value) ?? value;
  return valueWord[value] ?? relationshipLabel[value] ?? funeralCategoryLabel[value as FuneralCategory] ?? stepLabel[value as StepCode] ?? value;
}

/** The API's answer to a refused action, as a Vietnamese sentence (the API's own detail kept after it when untranslated). */
const problemDetail: [RegExp, string][] = [
  [/^task is claimed by (.+)$/, 'nhiệm vụ đang do $1 xử lý'],
  [/^task is (DONE|CANCELLED)$/, 'nhiệm vụ đã kết thúc'],
  [/^task is not claimed by/, 'bạn không giữ nhiệm vụ này'],
  [/must be claimed before/, 'cần nhận xử lý nhiệm vụ trước khi quyết định'],
  [/has already been decided|already decided/, 'nhiệm vụ đã được quyết định'],
  [/has no open incident/, 'sự cố đã được xử lý'],
  [/already being stopped/, 'hồ sơ đang được rút hoặc hủy, đang chờ các cơ quan hủy kết quả đã cấp'],
  [/has already ended/, 'nhóm thủ tục đã kết thúc'],
  [/may not/, 'vai trò của bạn không được làm việc này'],
  [/no (task|dossier) /, 'không tìm thấy'],
  [/try again shortly|unavailable/i, 'hệ thống đang bận, thử lại sau ít phút'],
];

export function problemText(error: { status?: number; message: string }): string {
  const prefix = error.status === 409 ? 'Không thực hiện được' : error.status === 403 ? 'Không có quyền' : error.status === 404 ? 'Không tìm thấy' : error.status === 503 ? 'Tạm thời không thực hiện được' : 'Lỗi';
  const detail = translate(problemDetail, error.message);
  if (detail) return `${prefix}: ${detail}.`;
  return error.status === 0 ? error.message : `${prefix}: ${error.message}`;
}

/** Where a principal works, as a desk says it. */
export function jurisdictionText(j: JurisdictionScope): string {
  if (j.scope === 'NATIONAL') return 'Toàn quốc';
  if (j.scope === 'PROVINCE') return provinceName(j.provinceCode) ?? `Tỉnh/thành ${j.provinceCode}`;
  return placeName(j);
}

/** The dossier's map: what a step's undo stands at, what is under way for it, why live retry data is missing. */
export const undoStateLabel: Record<import('../../api/dossier-map').UndoState, string | null> = {
  NOT_APPLICABLE: null,
  AVAILABLE: 'Có thể hủy kết quả nếu dừng nhóm',
  IN_PROGRESS: 'Đang hủy kết quả',
  FAILED: 'Hủy kết quả gặp sự cố',
  DONE: 'Đã hủy kết quả',
  SKIPPED: 'Bỏ qua việc hủy kết quả',
};
export const liveActivityLabel: Record<import('../../api/pending-activities').LiveActivityKind, string> = {
  AGENCY_CALL: 'Gọi hệ thống của cơ quan',
  AGENCY_UNDO: 'Yêu cầu cơ quan hủy kết quả',
  TASK: 'Nhiệm vụ của cán bộ',
  RECORD: 'Ghi sổ hồ sơ',
  OTHER: 'Việc khác của quy trình',
};
export const liveUnavailableText: Record<string, string> = {
  TEMPORAL_UNREACHABLE: 'Không kết nối được hệ thống quy trình: chưa có số liệu thử lại trực tiếp, sơ đồ theo cơ sở dữ liệu.',
  WORKFLOW_NOT_FOUND: 'Quy trình không còn trong hệ thống quy trình: sơ đồ theo cơ sở dữ liệu.',
  WORKFLOW_NOT_STARTED: 'Quy trình chưa bắt đầu (sẽ tự khởi động): sơ đồ theo cơ sở dữ liệu.',
};
