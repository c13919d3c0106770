/**
 * Nghị định 63/2024 Điều 7.2–7.3: when a dossier runs late, the agency responsible apologises to the
 * citizen in writing ("phiếu xin lỗi và hẹn lại ngày trả kết quả") with a new appointment date; when a
 * dossier needs verification, the agency declares it once and the group's limit is extended. The reasons
 * an officer picks from, with their Vietnamese labels (shown in the console and told to the citizen).
 *
 * Imported by the console and the API: keep this module pure (no I/O, no Node APIs).
 */

export const appointmentChangeKinds = ['APOLOGY', 'VERIFICATION'] as const;
export type AppointmentChangeKind = (typeof appointmentChangeKinds)[number];

export const lateReasons = {
  WORKLOAD: 'Số lượng hồ sơ tăng đột biến, cơ quan chưa kịp giải quyết',
  SYSTEM_OUTAGE: 'Sự cố hệ thống thông tin, cơ sở dữ liệu',
  AWAITING_OTHER_AGENCY: 'Chờ kết quả, ý kiến của cơ quan có liên quan',
  DATA_CHECK: 'Cần thêm thời gian đối chiếu dữ liệu',
  OTHER: 'Lý do khác',
  /** The workflow's own apology when no officer issued one in time: never picked by an officer. */
  AUTOMATIC: 'Hồ sơ chưa được giải quyết đúng hẹn',
} as const satisfies Record<string, string>;
export type LateReason = keyof typeof lateReasons;
/** The reasons an officer may give: the automatic apology's is the workflow's own. */
export const officerLateReasonCodes = (Object.keys(lateReasons) as LateReason[]).filter((code) => code !== 'AUTOMATIC') as [LateReason, ...LateReason[]];

export const verificationReasons = {
  RESIDENCE_CHECK: 'Cần xác minh nơi cư trú',
  IDENTITY_CHECK: 'Cần xác minh thông tin nhân thân',
  DOCUMENT_CHECK: 'Cần xác minh giấy tờ trong hồ sơ',
  RELATIONSHIP_CHECK: 'Cần xác minh quan hệ nhân thân',
  OTHER: 'Lý do khác',
} as const satisfies Record<string, string>;
export type VerificationReason = keyof typeof verificationReasons;
export const verificationReasonCodes = Object.keys(verificationReasons) as [VerificationReason, ...VerificationReason[]];

/** The Vietnamese label of a recorded reason code; an unknown one (a retired code) reads as "other". */
export function appointmentReasonLabel(kind: AppointmentChangeKind, code: string | null | undefined): string {
  const labels: Record<string, string> = kind === 'APOLOGY' ? lateReasons : verificationReasons;
  return (code && labels[code]) || labels.OTHER!;
}
