import { useMutation } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, Select, Tabs, Typography } from 'antd';
import { useRef, useState } from 'react';
import type { Dayjs } from 'dayjs';
import { lateReasons, officerLateReasonCodes, verificationReasonCodes, verificationReasons, type LateReason, type VerificationReason } from '../../../domain/appointment-changes';
import { api, ApiProblem, useRetryKey } from '../api';
import { date, dayjs } from '../format';
import { problemText, reasonInVietnamese } from '../labels';
import { DateInput } from '../forms/fields';

interface AppointmentChanged {
  kind: 'APOLOGY' | 'VERIFICATION';
  ordinal: number;
  appointmentAt: string;
}
type Change =
  | { what: 'apology'; body: { newDate: string; reasonCode: LateReason; reasonText?: string }; summary: string }
  | { what: 'verification'; body: { reasonCode: VerificationReason; reasonText?: string }; summary: string };

/** A reason picked from its catalogue, and the officer's own words for staff only (both forms ask the same). */
function ReasonFields<C extends string>({ label, codes, labels }: { label: string; codes: readonly C[]; labels: Record<C, string> }) {
  return (
    <>
      <Form.Item name="reasonCode" label={label} rules={[{ required: true, message: 'Chọn lý do' }]}>
        <Select placeholder="Chọn trong danh mục" options={codes.map((code) => ({ value: code, label: labels[code] }))} />
      </Form.Item>
      <Form.Item name="reasonText" label="Ghi chú nội bộ (không bắt buộc)" rules={[{ min: 3, whitespace: true, message: 'Ít nhất 3 ký tự' }]}>
        <Input.TextArea rows={2} maxLength={500} />
      </Form.Item>
    </>
  );
}

const optional = (text?: string) => (text?.trim() ? { reasonText: text.trim() } : {});

/**
 * Nghị định 63 Điều 7.2–7.3 from the officer's task: the apology for a dossier past its appointment,
 * with a new date, and the declaration that it needs verification (once). Each confirmed first, since
 * the citizen is told at once; the workflow refuses what the law does not allow (not late yet, a
 * second verification) and the page says so.
 */
export function AppointmentActions({ taskId, onChanged }: { taskId: string; onChanged: () => void }) {
  const { modal } = App.useApp();
  const [apologyForm] = Form.useForm();
  const [verificationForm] = Form.useForm();
  const [done, setDone] = useState<AppointmentChanged | null>(null);
  // One key per form: a retry after a lost answer repeats that form's act, never the other's.
  const keys = { apology: useRetryKey(), verification: useRetryKey() };
  const confirming = useRef(false);
  const change = useMutation({
    mutationFn: (c: Change) => api<AppointmentChanged>(`/v1/tasks/${taskId}/${c.what}`, { method: 'POST', body: c.body, idempotencyKey: keys[c.what].key() }),
    onSettled: (_, error, c) => keys[c.what].settle(error),
    onSuccess: (answer) => {
      setDone(answer);
      onChanged();
    },
    onError: (error, c) => {
      if (!(error instanceof ApiProblem)) return;
      const form = c.what === 'apology' ? apologyForm : verificationForm;
      const fields = error.errors.filter((e) => e.field.startsWith('body.')).map((e) => ({ name: e.field.slice(5), errors: [reasonInVietnamese(e.reason)] }));
      form.setFields(fields);
      if (fields[0]) form.scrollToField(fields[0].name, { block: 'center', focus: true });
    },
  });
  const confirm = (c: Change) => {
    // A double click on the form's button opens one dialog, not two.
    if (confirming.current) return;
    confirming.current = true;
    modal.confirm({
      title: c.what === 'apology' ? 'Xác nhận xin lỗi và hẹn lại ngày trả kết quả' : 'Xác nhận hồ sơ cần xác minh',
      content: <span data-testid="appointment-confirm">{c.summary} Công dân được thông báo ngay qua các kênh đã chọn.</span>,
      okText: 'Gửi thông báo',
      cancelText: 'Xem lại',
      onOk: () => change.mutate(c),
      afterClose: () => {
        confirming.current = false;
      },
    });
  };
  return (
    <>
      {done && (
        <Alert type="success" showIcon data-testid="appointment-recorded" style={{ marginBottom: 16 }}
          title={done.kind === 'APOLOGY' ? `Đã gửi phiếu xin lỗi lần ${done.ordinal}, hẹn lại ngày ${date(done.appointmentAt)}` : `Đã thông báo cần xác minh, hẹn trả kết quả ngày ${date(done.appointmentAt)}`} />
      )}
      {change.isError && <Alert type="warning" showIcon data-testid="appointment-refused" style={{ marginBottom: 16 }} title={change.error instanceof ApiProblem ? problemText(change.error) : change.error.message} />}
      <Tabs
        items={[
          {
            key: 'apology',
            label: 'Xin lỗi, hẹn lại',
            children: (
              <Form
                form={apologyForm}
                name="apology"
                layout="vertical"
                onFinish={(v: { newDate: Dayjs; reasonCode: LateReason; reasonText?: string }) =>
                  confirm({
                    what: 'apology',
                    body: { newDate: v.newDate.format('YYYY-MM-DD'), reasonCode: v.reasonCode, ...optional(v.reasonText) },
                    summary: `Hẹn lại ngày ${v.newDate.format('DD/MM/YYYY')}, lý do: ${lateReasons[v.reasonCode]}.`,
                  })
                }
              >
                <Typography.Paragraph type="secondary">Khi hồ sơ đã quá ngày hẹn trả kết quả (Nghị định 63/2024, Điều 7).</Typography.Paragraph>
                <Form.Item name="newDate" label="Ngày hẹn mới" rules={[{ required: true, message: 'Chọn ngày hẹn mới: một ngày làm việc sau hôm nay' }]}>
                  <DateInput disabledDate={(d) => !d.isAfter(dayjs(), 'day')} />
                </Form.Item>
                <ReasonFields label="Lý do trễ hẹn" codes={officerLateReasonCodes} labels={lateReasons} />
                <Button htmlType="submit" loading={change.isPending}>Xin lỗi và hẹn lại</Button>
              </Form>
            ),
          },
          {
            key: 'verification',
            label: 'Cần xác minh',
            children: (
              <Form
                form={verificationForm}
                name="verification"
                layout="vertical"
                onFinish={(v: { reasonCode: VerificationReason; reasonText?: string }) =>
                  confirm({ what: 'verification', body: { reasonCode: v.reasonCode, ...optional(v.reasonText) }, summary: `Gia hạn giải quyết một lần để xác minh, lý do: ${verificationReasons[v.reasonCode]}.` })
                }
              >
                <ReasonFields label="Nội dung cần xác minh" codes={verificationReasonCodes} labels={verificationReasons} />
                <Button htmlType="submit" loading={change.isPending}>Thông báo cần xác minh</Button>
              </Form>
            ),
          },
        ]}
      />
    </>
  );
}
