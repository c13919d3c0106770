import { appointmentReasonLabel } from './appointment-changes';
import { vietnameseDate } from './intake/common';
import type { NoticeKind } from './life-events';
import { stepDefinition, type ProcedureGroup, type StepCode } from './procedures';

/**
 * The Vietnamese texts the citizen receives (SMS, email, VNeID), one per event. They carry what the
 * citizen needs to act — the dossier code (to look the dossier up on the portal), the procedure's
 * name, a date — and nothing more: never a name, an ID number or a result number, since an SMS or an
 * email passes through third parties. A refusal says a generic category, never the agency's free text,
 * which may quote personal data. Pure: the relay renders at sending time, the same text on every retry.
 */
export const dossierNotificationEvents = ['STEP_COMPLETED', 'STEP_REFUSED', 'SUPPLEMENT_REQUESTED', 'GROUP_ENDED', 'APPOINTMENT_RESCHEDULED', 'VERIFICATION_EXTENDED'] as const;
/** Told to the family of a notice's draft, before any dossier: the legal time limit coming, then reached. */
export const noticeNotificationEvents = ['NOTICE_REMINDER', 'NOTICE_OVERDUE'] as const;
export const notificationEvents = [...dossierNotificationEvents, ...noticeNotificationEvents] as const;
export type NotificationEvent = (typeof notificationEvents)[number];

export function isNoticeEvent(event: NotificationEvent): event is NoticeAnnouncement['event'] {
  return (noticeNotificationEvents as readonly string[]).includes(event);
}

export type Announcement = DossierAnnouncement | NoticeAnnouncement;

export interface DossierAnnouncement {
  event: (typeof dossierNotificationEvents)[number];
  dossierNumber: string;
  group: ProcedureGroup;
  definitionVersion?: number;
  /** The step announced (absent for GROUP_ENDED). */
  step?: StepCode;
  /** STEP_REFUSED: the refusal code; GROUP_ENDED: the group's outcome; APPOINTMENT_RESCHEDULED, VERIFICATION_EXTENDED: the reason's code. */
  code?: string | null;
  /** SUPPLEMENT_REQUESTED: the last moment to bring the supplement; APPOINTMENT_RESCHEDULED, VERIFICATION_EXTENDED: the new appointment. */
  dueAt?: Date | null;
}

/**
 * A notice's draft: the family is told the notice's number (printed on the paper they hold) and the
 * last day, never the child's, the mother's or the deceased's name.
 */
export interface NoticeAnnouncement {
  event: (typeof noticeNotificationEvents)[number];
  kind: NoticeKind;
  noticeNumber: string;
  /** The end of the legal time limit. */
  limitAt: Date;
  /** When the announcement was recorded: the days left count from it, the same on every retry. */
  recordedAt: Date;
}

export interface RenderedMessage {
  /** Email subject, VNeID title; SMS gateways send the text alone. */
  title: string;
  text: string;
}

/** Why a step was refused, as the citizen is told it: a category, not the agency's wording. */
export type RefusalCategory = 'DATA' | 'DOCUMENTS' | 'ELIGIBILITY' | 'ALREADY_REGISTERED' | 'SUPPLEMENT_NOT_PROVIDED' | 'OTHER';

const refusalCategoryOfCode: Record<string, RefusalCategory> = {
  DATA_MISMATCH: 'DATA',
  BIRTH_RECORD_NOT_FOUND: 'DATA',
  PERSONAL_ID_NOT_FOUND: 'DATA',
  HOUSEHOLD_CONSENT_MISSING: 'DOCUMENTS',
  NOT_UNDER_SIX: 'ELIGIBILITY',
  DEATH_ALREADY_REGISTERED: 'ALREADY_REGISTERED',
  SUPPLEMENT_NOT_PROVIDED: 'SUPPLEMENT_NOT_PROVIDED',
};

/** Codes the agencies (and officers) use; one not listed is told as OTHER. */
export function refusalCategory(code: string | null | undefined): RefusalCategory {
  return (code && refusalCategoryOfCode[code]) || 'OTHER';
}

const refusalText: Record<RefusalCategory, string> = {
  DATA: 'thông tin trong hồ sơ chưa khớp với cơ sở dữ liệu của cơ quan giải quyết',
  DOCUMENTS: 'hồ sơ còn thiếu giấy tờ hoặc ý kiến đồng ý cần thiết',
  ELIGIBILITY: 'hồ sơ không đủ điều kiện theo quy định',
  ALREADY_REGISTERED: 'việc này đã được đăng ký trước đó',
  SUPPLEMENT_NOT_PROVIDED: 'hồ sơ không được bổ sung trong thời hạn',
  OTHER: 'theo quyết định của cơ quan giải quyết',
};

const groupName: Record<ProcedureGroup, string> = {
  BIRTH: 'liên thông khai sinh',
  DEATH: 'liên thông khai tử',
};

const groupEnding: Record<string, string> = {
  COMPLETED: 'đã được giải quyết xong tất cả các thủ tục',
  PARTIALLY_COMPLETED: 'đã kết thúc; một số thủ tục không được giải quyết, các thủ tục đã hoàn thành vẫn giữ nguyên giá trị',
  REFUSED: 'đã kết thúc và không được giải quyết',
  WITHDRAWN: 'đã được rút theo yêu cầu; các kết quả đã cấp (nếu có) đã được hủy',
  CANCELLED: 'đã bị hủy; các kết quả đã cấp (nếu có) đã được hủy',
};

const lookUp = 'Tra cứu bằng mã hồ sơ trên Cổng Dịch vụ công hoặc ứng dụng VNeID.';
/** Said when a group ends with its registration standing: the electronic results wait on the lookup page. */
const resultsOnline = 'Kết quả điện tử đã có: tải về tại trang tra cứu hồ sơ bằng số hồ sơ và mã tra cứu trên giấy tiếp nhận.';
const endsWithResults = new Set(['COMPLETED', 'PARTIALLY_COMPLETED']);
const desk = 'Liên hệ bộ phận một cửa nơi nộp hồ sơ để được hướng dẫn.';


const dayMs = 86_400_000;

const noticeWording: Record<NoticeKind, { paper: string; registration: string; where: string }> = {
  BIRTH: { paper: 'Giấy chứng sinh', registration: 'đăng ký khai sinh', where: 'UBND cấp xã nơi cư trú của cha hoặc mẹ' },
  DEATH: { paper: 'Giấy báo tử', registration: 'đăng ký khai tử', where: 'UBND cấp xã nơi cư trú cuối cùng của người đã mất' },
};

function renderNoticeAnnouncement(announcement: NoticeAnnouncement): RenderedMessage {
  const { paper, registration, where } = noticeWording[announcement.kind];
  const subject = `${paper} số ${announcement.noticeNumber}`;
  // The limit is the midnight starting the day after the last day.
  const lastDay = vietnameseDate(new Date(announcement.limitAt.getTime() - 1));
  if (announcement.event === 'NOTICE_OVERDUE') {
    return {
      title: `${subject}: đã hết thời hạn ${registration}`,
      text: `${subject}: đã hết thời hạn ${registration} (hết ngày ${lastDay}). Việc đăng ký vẫn được tiếp nhận; vui lòng đến bộ phận một cửa ${where} sớm nhất có thể, mang theo ${paper.toLowerCase()}.`,
    };
  }
  const daysLeft = Math.max(1, Math.ceil((announcement.limitAt.getTime() - announcement.recordedAt.getTime()) / dayMs));
  return {
    title: `${subject}: còn ${daysLeft} ngày để ${registration}`,
    text: `${subject}: còn ${daysLeft} ngày (đến hết ngày ${lastDay}) để ${registration} tại bộ phận một cửa ${where}. Mang theo ${paper.toLowerCase()} và giấy tờ tùy thân của người đi đăng ký.`,
  };
}

export function renderAnnouncement(announcement: Announcement): RenderedMessage {
  if ('noticeNumber' in announcement) return renderNoticeAnnouncement(announcement);
  const { dossierNumber: n, group } = announcement;
  const procedure = () => {
    if (!announcement.step) throw new Error(`${announcement.event} needs a step`);
    return stepDefinition(group, announcement.step, announcement.definitionVersion).title;
  };
  switch (announcement.event) {
    case 'STEP_COMPLETED':
      return {
        title: `Hồ sơ ${n}: ${procedure()} đã hoàn thành`,
        text: `Thủ tục "${procedure()}" của hồ sơ ${n} đã được giải quyết xong. ${lookUp}`,
      };
    case 'STEP_REFUSED':
      return {
        title: `Hồ sơ ${n}: ${procedure()} không được giải quyết`,
        text:
          `Thủ tục "${procedure()}" của hồ sơ ${n} không được giải quyết. Lý do: ${refusalText[refusalCategory(announcement.code)]}. ` +
          `Các thủ tục đã hoàn thành trước đó vẫn giữ nguyên giá trị. ${desk}`,
      };
    case 'SUPPLEMENT_REQUESTED': {
      const until = announcement.dueAt ? ` trước ngày ${vietnameseDate(announcement.dueAt)}` : '';
      return {
        title: `Hồ sơ ${n}: cần bổ sung giấy tờ`,
        text: `Hồ sơ ${n} cần bổ sung giấy tờ cho thủ tục "${procedure()}". Vui lòng bổ sung tại bộ phận một cửa${until}; quá hạn, thủ tục sẽ không được giải quyết.`,
      };
    }
    case 'APPOINTMENT_RESCHEDULED': {
      const until = announcement.dueAt ? vietnameseDate(announcement.dueAt) : 'sớm nhất có thể';
      return {
        title: `Hồ sơ ${n}: xin lỗi vì trễ hẹn, hẹn lại ngày ${until}`,
        text:
          `Cơ quan giải quyết xin lỗi vì hồ sơ ${groupName[group]} ${n} chưa được trả kết quả đúng hẹn. ` +
          `Lý do: ${appointmentReasonLabel('APOLOGY', announcement.code).toLowerCase()}. Ngày hẹn trả kết quả mới: ${until}. ${lookUp}`,
      };
    }
    case 'VERIFICATION_EXTENDED': {
      const until = announcement.dueAt ? vietnameseDate(announcement.dueAt) : 'sớm nhất có thể';
      return {
        title: `Hồ sơ ${n}: cần xác minh, hẹn trả kết quả ngày ${until}`,
        text:
          `Hồ sơ ${groupName[group]} ${n} cần được xác minh (${appointmentReasonLabel('VERIFICATION', announcement.code).toLowerCase()}), ` +
          `nên thời hạn giải quyết được kéo dài. Ngày hẹn trả kết quả mới: ${until}. ${lookUp}`,
      };
    }
    case 'GROUP_ENDED': {
      const ending = groupEnding[announcement.code ?? ''];
      if (!ending) throw new Error(`no announcement for a group ending ${announcement.code ?? 'without an outcome'}`);
      return {
        title: `Hồ sơ ${n}: đã kết thúc`,
        text: `Hồ sơ ${groupName[group]} ${n} ${ending}. ${endsWithResults.has(announcement.code ?? '') ? resultsOnline : lookUp}`,
      };
    }
  }
}
