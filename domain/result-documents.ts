import type { DocumentType } from './catalogues';
import type { StepResults } from './agency-contract';
import { vietnameseDate, type Intake } from './intake';
import { oneStopOffice, type OneStopOffice } from './one-stop-offices';
import { groupDefinition, type ProcedureGroup, type StepCode } from './procedures';

/**
 * The results the citizen receives electronically when a group ends: the extract of the birth or death
 * registration (with the ID number and the card where issued) and the receipt (giấy tiếp nhận hồ sơ và
 * hẹn trả kết quả). Pure: the same dossier gives the same document, so a repeated download is the same
 * file. What a document shows depends on who receives it:
 *
 * - FULL: staff at the desk, who hand the papers over to the requester on sight of an identity document.
 * - RECEIPT_HOLDER: whoever types the dossier number and receipt code on the public page. The code is
 *   printed on a slip of paper that can be lost, photographed or left behind, and the public lookup
 *   already tells its holder the steps and dates only, no personal data. So this copy carries the act
 *   numbers and dates (what the citizen needs to prove and use the results), no name, address, cause
 *   of death or amount, and the ID number and card number by their last four characters only — enough
 *   to match them with the VNeID app or the card, useless to impersonate anyone.
 */
export const resultDocumentKinds = ['extract', 'receipt'] as const;
export type ResultDocumentKind = (typeof resultDocumentKinds)[number];
export type Disclosure = 'FULL' | 'RECEIPT_HOLDER';

/** What a document is made from: the dossier as the read model holds it. */
export interface ResultsSource {
  dossierNumber: string;
  procedureGroup: ProcedureGroup;
  definitionVersion: number;
  status: string;
  provinceCode: string;
  communeCode: string;
  receivedAt: Date;
  dueAt: Date;
  /** The date promised after an apology for lateness (Nghị định 63 Điều 7.3), if any. */
  appointmentAt?: Date | null;
  /**
   * The date promised at receipt, when an apology or a verification has moved it since: the first
   * change's previous date (a verification moves dueAt too, so dueAt is no longer the original).
   */
  originalAppointmentAt?: Date | null;
  completedAt: Date | null;
  intake: Intake;
  steps: { step: string; status: string; result: unknown; finishedAt: Date | null }[];
}

export interface ResultDocument {
  fileName: string;
  /** The office issuing it, above the title. */
  issuer: string;
  title: string;
  /** The instant the document speaks of: its PDF creation date, so the file is the same every time. */
  issuedAt: Date;
  sections: { heading: string; rows: (readonly [string, string])[] }[];
  notes: string[];
}

const registrationStep: Record<ProcedureGroup, StepCode> = { BIRTH: 'BIRTH_REGISTRATION', DEATH: 'DEATH_REGISTRATION' };

/**
 * Results exist once the group has ended with its registration standing: completed, or partly (a
 * refused later step leaves the registration valid). Refused, withdrawn or cancelled groups have none.
 */
export function resultsAvailable(source: Pick<ResultsSource, 'procedureGroup' | 'status' | 'completedAt'> & { steps: readonly { step: string; status: string }[] }): boolean {
  if (source.status !== 'COMPLETED' && source.status !== 'PARTIALLY_COMPLETED') return false;
  if (!source.completedAt) return false;
  return source.steps.some((s) => s.step === registrationStep[source.procedureGroup] && s.status === 'COMPLETED');
}

/** What the citizen brings to collect the paper results at the desk (besides the receipt itself). */
export const collectionDocuments: readonly DocumentType[] = ['REQUESTER_IDENTITY', 'AUTHORIZATION_LETTER'];


/** hh:mm dd/mm/yyyy in Vietnam's time. */
function vietnameseDateTime(at: Date): string {
  const local = new Date(at.getTime() + 7 * 3_600_000).toISOString();
  return `${local.slice(11, 16)} ${vietnameseDate(at)}`;
}

/** An identifier shown by its last four characters. */
export function lastFour(value: string): string {
  return `${'•'.repeat(Math.max(0, value.length - 4))}${value.slice(-4)}`;
}

const sexWord = { MALE: 'Nam', FEMALE: 'Nữ' } as const;
/** Thousands grouped with dots, the Vietnamese way, without depending on the runtime's locale data. */
const money = (amount: number) => `${String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, '.')} đồng`;

type Rows = (readonly [string, string])[];

function resultOf<S extends StepCode>(source: ResultsSource, step: S): StepResults[S] | undefined {
  const found = source.steps.find((s) => s.step === step && s.status === 'COMPLETED');
  return (found?.result ?? undefined) as StepResults[S] | undefined;
}

const outcomeWord: Record<string, string> = {
  COMPLETED: 'đã giải quyết',
  REFUSED: 'không được giải quyết',
  COMPENSATED: 'đã hủy',
};

/** Each chosen procedure and what it gave, in the group's order. */
function procedureRows(source: ResultsSource, full: boolean): Rows {
  const id = (v: string) => (full ? v : lastFour(v));
  return groupDefinition(source.procedureGroup, source.definitionVersion).steps.flatMap((definition): Rows => {
    const step = source.steps.find((s) => s.step === definition.code);
    if (!step) return [];
    const outcome = outcomeWord[step.status] ?? 'không thực hiện';
    if (step.status !== 'COMPLETED') return [[definition.title, outcome]];
    const on = step.finishedAt ? ` ngày ${vietnameseDate(step.finishedAt)}` : '';
    switch (definition.code) {
      case 'BIRTH_REGISTRATION':
      case 'DEATH_REGISTRATION':
        return [[definition.title, `${outcome}${on}`]];
      case 'PERSONAL_ID': {
        const r = resultOf(source, 'PERSONAL_ID')!;
        return [[definition.title, `${outcome}${on}: số định danh cá nhân ${id(r.personalIdNumber)}`]];
      }
      case 'PERMANENT_RESIDENCE': {
        const r = resultOf(source, 'PERMANENT_RESIDENCE')!;
        return [[definition.title, `${outcome}${on}: hồ sơ cư trú số ${r.residenceRecordNumber}, đăng ký ngày ${vietnameseDate(r.registeredOn)}`]];
      }
      case 'CHILD_HEALTH_INSURANCE': {
        const r = resultOf(source, 'CHILD_HEALTH_INSURANCE')!;
        return [[definition.title, `${outcome}${on}: thẻ BHYT số ${id(r.cardNumber)}, giá trị sử dụng từ ${vietnameseDate(r.validFrom)} đến ${vietnameseDate(r.validUntil)}`]];
      }
      case 'RESIDENCE_REMOVAL': {
        const r = resultOf(source, 'RESIDENCE_REMOVAL')!;
        return [[definition.title, `${outcome}${on}: biên bản số ${r.removalRecordNumber}, xóa ngày ${vietnameseDate(r.removedOn)}`]];
      }
      case 'FUNERAL_ALLOWANCE': {
        const r = resultOf(source, 'FUNERAL_ALLOWANCE')!;
        const amount = full ? `, số tiền ${money(r.amount)}` : '';
        return [[definition.title, `${outcome}${on}: quyết định số ${r.decisionNumber} ngày ${vietnameseDate(r.decidedOn)}${amount}`]];
      }
      case 'SURVIVOR_BENEFIT': {
        const r = resultOf(source, 'SURVIVOR_BENEFIT')!;
        const amount = full ? `, ${money(r.monthlyAmount)} mỗi tháng cho ${r.beneficiaries} người` : '';
        return [[definition.title, `${outcome}${on}: quyết định số ${r.decisionNumber} ngày ${vietnameseDate(r.decidedOn)}${amount}`]];
      }
    }
  });
}

function subjectRows(source: ResultsSource, full: boolean): { heading: string; rows: Rows } {
  const intake = source.intake;
  const hidden = 'không ghi trên bản này';
  if (intake.group === 'BIRTH') {
    const child = intake.child;
    const personalId = resultOf(source, 'PERSONAL_ID')?.personalIdNumber;
    const card = resultOf(source, 'CHILD_HEALTH_INSURANCE');
    const rows: Rows = full
      ? [
          ['Họ, chữ đệm, tên', child.fullName],
          ['Giới tính', sexWord[child.sex]],
          ['Ngày sinh', vietnameseDate(child.dateOfBirth)],
          ['Nơi sinh', child.placeOfBirth],
          ['Dân tộc', child.ethnicity],
          ['Quốc tịch', child.nationality],
          ['Quê quán', child.homeTown],
        ]
      : [['Họ, chữ đệm, tên', hidden]];
    if (personalId) rows.push(['Số định danh cá nhân', full ? personalId : lastFour(personalId)]);
    if (card) rows.push(['Số thẻ bảo hiểm y tế', full ? card.cardNumber : lastFour(card.cardNumber)]);
    if (full && intake.mother) rows.push(['Họ tên mẹ', intake.mother.fullName]);
    if (full && intake.father) rows.push(['Họ tên cha', intake.father.fullName]);
    return { heading: 'Người được đăng ký khai sinh', rows };
  }
  const deceased = intake.deceased;
  const rows: Rows = full
    ? [
        ['Họ, chữ đệm, tên', deceased.fullName],
        ['Giới tính', sexWord[deceased.sex]],
        ['Ngày sinh', vietnameseDate(deceased.dateOfBirth)],
        ['Số định danh cá nhân', deceased.personalIdNumber],
        ['Ngày chết', vietnameseDate(deceased.dateOfDeath)],
        ['Nơi chết', deceased.placeOfDeath],
        ['Nguyên nhân chết', deceased.cause],
      ]
    : [
        ['Họ, chữ đệm, tên', hidden],
        ['Số định danh cá nhân', lastFour(deceased.personalIdNumber)],
        ['Ngày chết', vietnameseDate(deceased.dateOfDeath)],
      ];
  return { heading: 'Người đã chết', rows };
}

function registrationRows(source: ResultsSource): Rows {
  if (source.procedureGroup === 'BIRTH') {
    const r = resultOf(source, 'BIRTH_REGISTRATION')!;
    return [
      ['Số đăng ký', r.registrationNumber],
      ['Quyển số, trang', `${r.book}, trang ${r.page}`],
      ['Ngày đăng ký', vietnameseDate(r.registeredOn)],
    ];
  }
  const r = resultOf(source, 'DEATH_REGISTRATION')!;
  return [
    ['Số đăng ký', r.registrationNumber],
    ['Ngày đăng ký', vietnameseDate(r.registeredOn)],
  ];
}

function dossierRows(source: ResultsSource, office: OneStopOffice): Rows {
  return [
    ['Số hồ sơ', source.dossierNumber],
    ['Ngày tiếp nhận', vietnameseDateTime(source.receivedAt)],
    ['Ngày hẹn trả kết quả', vietnameseDate(source.appointmentAt ?? source.dueAt)],
    ...(source.originalAppointmentAt ? [['Ngày hẹn ban đầu (đã hẹn lại)', vietnameseDate(source.originalAppointmentAt)] as const] : []),
    ...(source.completedAt ? [['Ngày có kết quả', vietnameseDateTime(source.completedAt)] as const] : []),
    ['Nơi trả kết quả', `${office.name}, ${office.address}`],
  ];
}

function copyNote(full: boolean, office: OneStopOffice): string[] {
  return full
    ? ['Bản đầy đủ, trao cho người yêu cầu sau khi xuất trình giấy tờ tùy thân.']
    : [
        `Bản tải về bằng số hồ sơ và mã tra cứu: không ghi họ tên, địa chỉ; số định danh cá nhân và số thẻ bảo hiểm y tế chỉ hiện 4 ký tự cuối. ` +
          `Bản đầy đủ nhận tại ${office.name} khi xuất trình giấy tờ tùy thân, hoặc xem trên ứng dụng VNeID.`,
      ];
}

const extractTitle: Record<ProcedureGroup, string> = { BIRTH: 'TRÍCH LỤC ĐĂNG KÝ KHAI SINH (bản điện tử)', DEATH: 'TRÍCH LỤC ĐĂNG KÝ KHAI TỬ (bản điện tử)' };

/** A safe file name from the dossier number (letters, digits, dots, dashes and underscores already). */
const fileStem = (n: string) => n.replace(/[^A-Za-z0-9._-]/g, '_');

/** The document of `kind` for a dossier whose results are available (check with resultsAvailable first). */
export function resultDocument(kind: ResultDocumentKind, source: ResultsSource, disclosure: Disclosure): ResultDocument {
  const full = disclosure === 'FULL';
  const office = oneStopOffice({ provinceCode: source.provinceCode, communeCode: source.communeCode });
  const group = groupDefinition(source.procedureGroup, source.definitionVersion);
  if (kind === 'extract') {
    return {
      fileName: `trich-luc-${fileStem(source.dossierNumber)}.pdf`,
      issuer: office.name,
      title: extractTitle[source.procedureGroup],
      issuedAt: source.completedAt ?? source.receivedAt,
      sections: [
        { heading: 'Đăng ký', rows: registrationRows(source) },
        subjectRows(source, full),
        { heading: 'Kết quả các thủ tục liên thông', rows: procedureRows(source, full) },
        { heading: 'Hồ sơ', rows: dossierRows(source, office) },
      ],
      notes: copyNote(full, office),
    };
  }
  const requester = source.intake.requester;
  return {
    fileName: `giay-tiep-nhan-${fileStem(source.dossierNumber)}.pdf`,
    issuer: office.name,
    title: 'GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ',
    issuedAt: source.receivedAt,
    sections: [
      {
        heading: 'Hồ sơ',
        rows: [
          ['Thủ tục', group.title],
          ['Các thủ tục đề nghị', group.steps.filter((d) => source.steps.some((s) => s.step === d.code)).map((d) => d.title).join('; ')],
          ...(full ? [['Người nộp hồ sơ', `${requester.fullName}, số định danh cá nhân ${requester.personalIdNumber}`] as const] : []),
          ...dossierRows(source, office),
        ],
      },
    ],
    notes: [
      'Mã tra cứu không được in lại trên bản này: giữ giấy tiếp nhận đã nhận tại bộ phận một cửa.',
      ...copyNote(full, office),
    ],
  };
}
