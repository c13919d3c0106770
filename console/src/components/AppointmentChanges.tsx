import { Alert, Typography } from 'antd';
import type { z } from 'zod';
import type { appointmentChangeSchema, staffAppointmentChangeSchema } from '../../../api/appointment-view';
import { appointmentReasonLabel } from '../../../domain/appointment-changes';
import type { AgencyRole } from '../../../domain/procedures';
import { date } from '../format';
import { agencyLabel } from '../labels';

type Change = z.infer<typeof appointmentChangeSchema> & Partial<Pick<z.infer<typeof staffAppointmentChangeSchema>, 'agency' | 'issuedBy' | 'reasonText'>>;

/**
 * Each apology for lateness and the verification extension that moved the appointment (Nghị định 63
 * Điều 7.2–7.3), oldest first, in the words the citizen was told; staff also read the agency and the
 * officer's own words.
 */
export function AppointmentChanges({ changes }: { changes: Change[] }) {
  if (changes.length === 0) return null;
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="appointment-changes"
      title="Ngày hẹn trả kết quả đã được thay đổi"
      description={
        <ul style={{ paddingInlineStart: 20, margin: 0 }}>
          {changes.map((c) => (
            <li key={`${c.kind}-${c.ordinal}`} data-testid={`appointment-change-${c.kind}-${c.ordinal}`}>
              {c.kind === 'APOLOGY'
                ? <>Ngày {date(c.issuedAt)}: {c.agency ? `${agencyLabel[c.agency as AgencyRole] ?? c.agency} ` : 'cơ quan giải quyết '}xin lỗi vì trễ hẹn và hẹn lại ngày <Typography.Text strong>{date(c.appointmentAt)}</Typography.Text></>
                : <>Ngày {date(c.issuedAt)}: hồ sơ cần xác minh, thời hạn giải quyết gia hạn đến ngày <Typography.Text strong>{date(c.appointmentAt)}</Typography.Text></>}
              {' '}({appointmentReasonLabel(c.kind, c.reasonCode)}{c.automatic ? ', hệ thống tự thông báo' : ''}{c.reasonText ? `: ${c.reasonText}` : ''}).
            </li>
          ))}
        </ul>
      }
    />
  );
}
