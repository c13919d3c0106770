import { Button, Descriptions, Typography } from 'antd';
import { PrinterOutlined } from '@ant-design/icons';
import type { ProcedureGroup } from '../../../domain/procedures';
import { formatReceiptCode } from '../../../domain/receipt-code';
import type { ReceiptSlipData } from '../../../domain/receipt-slip';
import { date, dateTime } from '../format';
import { documentLabel, groupLabel } from '../labels';

export interface ReceiptSlipProps {
  dossierNumber: string;
  receiptCode: string;
  /** The applicant, the receiving office and the documents received, as the API answered the intake. */
  slip?: ReceiptSlipData;
  group?: ProcedureGroup;
  receivedAt?: string;
  dueAt?: string;
}

/**
 * The citizen's receipt (giấy tiếp nhận hồ sơ và hẹn trả kết quả): the dossier number, the appointment
 * and the receipt code that opens the public lookup. Printing shows this slip alone (print.css); the
 * code is on screen only now, since the API keeps nothing of it but a hash.
 */
export function ReceiptSlip({ dossierNumber, receiptCode, slip, group, receivedAt, dueAt }: ReceiptSlipProps) {
  const lookup = `${window.location.origin}/console/tra-cuu`;
  return (
    <div className="receipt-slip" data-testid="receipt-slip">
      <Typography.Title level={4}>Giấy tiếp nhận hồ sơ và hẹn trả kết quả</Typography.Title>
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label="Số hồ sơ">{dossierNumber}</Descriptions.Item>
        {slip && <Descriptions.Item label="Cơ quan tiếp nhận">{slip.office}</Descriptions.Item>}
        {slip && <Descriptions.Item label="Người nộp hồ sơ">{slip.applicant}</Descriptions.Item>}
        {group && <Descriptions.Item label="Thủ tục">{groupLabel[group]}</Descriptions.Item>}
        {slip && (
          <Descriptions.Item label="Giấy tờ đã nhận">
            <ul style={{ margin: 0, paddingLeft: 18 }} data-testid="receipt-documents">
              {slip.documents.map((d) => <li key={d}>{documentLabel[d]}</li>)}
            </ul>
          </Descriptions.Item>
        )}
        {receivedAt && <Descriptions.Item label="Ngày tiếp nhận">{dateTime(receivedAt)}</Descriptions.Item>}
        {dueAt && <Descriptions.Item label="Ngày hẹn trả kết quả">{date(dueAt)}</Descriptions.Item>}
        <Descriptions.Item label="Mã tra cứu">
          <Typography.Text strong code style={{ fontSize: 22, letterSpacing: 2 }} data-testid="receipt-code">
            {formatReceiptCode(receiptCode)}
          </Typography.Text>
        </Descriptions.Item>
      </Descriptions>
      <Typography.Paragraph style={{ marginTop: 8 }}>
        Tra cứu tiến độ tại <Typography.Text strong>{lookup}</Typography.Text> bằng số hồ sơ và mã tra cứu. Giữ kín mã tra cứu.
      </Typography.Paragraph>
      <Button className="no-print" icon={<PrinterOutlined />} onClick={() => window.print()}>
        In giấy tiếp nhận
      </Button>
    </div>
  );
}
