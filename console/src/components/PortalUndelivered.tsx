import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Col, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { api, ApiProblem, useRetryKey } from '../api';
import { problemText } from '../labels';

interface RetryAnswer {
  requeued: number;
  rejected: number;
  failing: number;
  dossiers: number;
}

/**
 * Status messages the national portal has not taken (refused, or failing after the configured sends):
 * the family following the dossier there hears nothing until someone acts. The supervisor sends them
 * again, with a reason for the log, under one Idempotency-Key so a repeated click is one act.
 */
export function PortalUndelivered({ count }: { count: number }) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const retryKey = useRetryKey();
  const retry = useMutation({
    mutationFn: () => api<RetryAnswer>('/v1/supervision/portal-messages/retry', { method: 'POST', body: { reason: reason.trim() }, idempotencyKey: retryKey.key() }),
    onSettled: (_, error) => retryKey.settle(error),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['summary'] }),
  });
  if (count === 0 && !retry.data) return null;
  return (
    <Col span={24}>
      {count > 0 && (
        <Alert
          type="warning"
          showIcon
          data-testid="portal-undelivered"
          title={`${count} tin nhắn trạng thái chưa gửi được lên Cổng Dịch vụ công quốc gia`}
          description="Công dân theo dõi hồ sơ trên Cổng chưa nhận được các thay đổi này."
          action={<Button onClick={() => setOpen(true)}>Gửi lại</Button>}
        />
      )}
      {retry.data && retry.data.requeued > 0 && (
        <Alert type="success" showIcon data-testid="portal-requeued" closable onClose={() => retry.reset()}
          title={`Đã xếp lại ${retry.data.requeued} tin nhắn của ${retry.data.dossiers} hồ sơ để gửi lên Cổng`} />
      )}
      <Modal
        title="Gửi lại tin nhắn lên Cổng Dịch vụ công"
        open={open}
        okText="Gửi lại"
        cancelText="Đóng"
        okButtonProps={{ disabled: reason.trim().length < 3, loading: retry.isPending }}
        onOk={() =>
          retry.mutate(undefined, {
            onSuccess: () => {
              setOpen(false);
              setReason('');
            },
          })
        }
        onCancel={() => setOpen(false)}
      >
        <Typography.Paragraph>Mỗi tin nhắn được gửi lại theo đúng thứ tự của hồ sơ; Cổng bỏ qua tin đã nhận.</Typography.Paragraph>
        <label htmlFor="portal-retry-reason">Lý do (ghi vào nhật ký)</label>
        <Input.TextArea id="portal-retry-reason" rows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        {retry.isError && <Alert style={{ marginTop: 8 }} type="warning" showIcon title={retry.error instanceof ApiProblem ? problemText(retry.error) : retry.error.message} />}
      </Modal>
    </Col>
  );
}
