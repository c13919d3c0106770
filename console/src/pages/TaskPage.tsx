import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Form, Input, Modal, Result, Row, Select, Space, Spin, Tabs, Tag, Typography } from 'antd';
import { useMemo, useState, type KeyboardEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import type { Me } from '../../../api/routes/session';
import type { TaskDetail, TaskView } from '../../../api/routes/tasks';
import type { StepCode } from '../../../domain/procedures';
import { officerRefusalReasons, stepDocuments, type DocumentType, type RefusalReason } from '../../../domain/catalogues';
import { api, ApiProblem, useRetryKey } from '../api';
import { date, dateTime } from '../format';
import { documentLabel, inputLabel, inputValue, problemText, reasonInVietnamese, refusalReasonLabel, resultFieldLabel, stepLabel, taskEndedText, taskKindLabel, taskOutcomeLabel, taskStatusLabel } from '../labels';
import { DossierAttachments } from '../components/DossierAttachments';
import { ResultFields, resultDefaults, resultFields, resultValue } from '../forms/result-fields';
import { PageTitle } from '../components/PageTitle';
import { AppointmentActions } from '../components/AppointmentActions';

/** The data the agency decides on, flattened to labelled lines ("child.fullName: …"). */
function flatten(value: unknown, prefix = ''): [string, string][] {
  if (value === null || value === undefined) return [];
  if (typeof value !== 'object') return [[prefix, String(value)]];
  return Object.entries(value).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
}

const decisionPendingText = 'Quyết định đã được ghi nhận và đang được chuyển đến hồ sơ liên thông; không cần thao tác lại.';

/** An officer's decision, as sent, with the lines that say what it records. */
type Decision = (
  | { what: 'completion'; body: { result: Record<string, unknown> } }
  | { what: 'refusal'; body: { code: RefusalReason; reason: string } }
  | { what: 'supplement-request'; body: { documents: DocumentType[]; reason?: string } }
) & { outcome: keyof typeof taskOutcomeLabel; lines: [string, string][] };

/** A value of the decision as the officer typed or picked it. */
function shown(value: unknown): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return date(value);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return dateTime(value);
  return String(value);
}

/**
 * Enter in a date picker confirms the typed date; in a form it would also submit the decision. Only
 * the buttons decide.
 */
function keepEnterInDates(event: KeyboardEvent<HTMLFormElement>) {
  if (event.key === 'Enter' && (event.target as HTMLElement).closest('.ant-picker')) event.preventDefault();
}

/** One task: what to decide on, and the officer's decision (complete with the result, refuse, ask for documents). */
export function TaskPage({ me }: { me: Me }) {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [conflict, setConflict] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<Decision | null>(null);
  const [recorded, setRecorded] = useState<(Decision & { pending: boolean }) | null>(null);
  const [form] = Form.useForm();
  const task = useQuery({ queryKey: ['task', id], queryFn: () => api<TaskDetail>(`/v1/tasks/${id}`), refetchInterval: 5_000 });
  const fields = useMemo(() => (task.data ? resultFields(task.data.step as StepCode, task.data.kind) : []), [task.data?.step, task.data?.kind]);
  const retryKey = useRetryKey();
  const onAnswer = () => {
    setConflict(null);
    void client.invalidateQueries({ queryKey: ['task', id] });
    void client.invalidateQueries({ queryKey: ['tasks'] });
  };
  const onRefused = (error: Error) => {
    // Someone else was quicker, or the dossier moved on: say so plainly and show the task as it is now.
    setConflict(error instanceof ApiProblem ? problemText(error) : error.message);
    void client.invalidateQueries({ queryKey: ['task', id] });
  };
  const holder = useMutation({
    mutationFn: (what: 'claim' | 'unclaim') => api<TaskView>(`/v1/tasks/${id}/${what}`, { method: 'POST', body: {} }),
    onSuccess: (_, what) => {
      message.success(what === 'claim' ? 'Đã nhận xử lý' : 'Đã trả lại hộp chung');
      onAnswer();
    },
    onError: onRefused,
  });
  const decide = useMutation({
    mutationFn: (decision: Decision) => api<TaskView>(`/v1/tasks/${id}/${decision.what}`, { method: 'POST', body: decision.body, idempotencyKey: retryKey.key() }),
    onSettled: (_, error) => retryKey.settle(error),
    onSuccess: (answer, decision) => {
      setConfirming(null);
      setRecorded({ ...decision, pending: answer?.decisionPending ?? false });
      onAnswer();
    },
    onError: (error) => {
      setConfirming(null);
      if (error instanceof ApiProblem && error.errors.length > 0) {
        const fields = error.errors.map((e) => ({ name: e.field.split('.').slice(2), errors: [reasonInVietnamese(e.reason)] }));
        form.setFields(fields);
        if (fields[0]) form.scrollToField(fields[0].name, { block: 'center', focus: true });
      }
      onRefused(error);
    },
  });
  if (task.isLoading) return <Spin />;
  if (task.isError || !task.data) return <Result status="404" title="Không xem được nhiệm vụ" subTitle={task.error?.message} />;
  const t = task.data;
  const open = t.status === 'OPEN' || t.status === 'CLAIMED';
  const mine = t.status === 'CLAIMED' && t.claimedBy === me.subject;
  // Claimed first: nobody decides a task a colleague may be deciding too. A decision on its way to the
  // procedure group: nothing more to decide until it is recorded.
  const mayWork = me.permissions.includes('task.complete') && mine && !t.decisionPending;
  const stepName = stepLabel[t.step as StepCode] ?? t.title;
  const documents = stepDocuments[t.step as StepCode] ?? [];
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={12}>
        <Card
          title={<PageTitle>{taskKindLabel[t.kind]}: {stepName}</PageTitle>}
          extra={<Tag color={taskStatusLabel[t.status]?.color} data-testid="task-status">{taskStatusLabel[t.status]?.text}</Tag>}
        >
          <Descriptions size="small" column={1}>
            <Descriptions.Item label="Hồ sơ"><Link to={`/ho-so/${encodeURIComponent(t.dossierNumber)}`}>{t.dossierNumber}</Link></Descriptions.Item>
            <Descriptions.Item label="Hạn xử lý"><Typography.Text type={t.overdue ? 'danger' : undefined}>{dateTime(t.dueAt)}{t.overdue ? ' (quá hạn)' : ''}</Typography.Text></Descriptions.Item>
            <Descriptions.Item label="Người xử lý">{t.claimedBy ?? 'chưa có'}</Descriptions.Item>
            {t.completedBy && <Descriptions.Item label="Đã quyết định">{t.completedBy}, {dateTime(t.completedAt)}{t.outcome ? ` — ${taskOutcomeLabel[t.outcome]}` : ''}</Descriptions.Item>}
          </Descriptions>
          <Typography.Title level={5}>Dữ liệu yêu cầu</Typography.Title>
          <Descriptions size="small" column={1} bordered>
            {flatten(t.input).map(([k, v]) => <Descriptions.Item key={k} label={inputLabel(k)}>{/^\d{4}-\d{2}-\d{2}$/.test(v) ? date(v) : inputValue(v, k)}</Descriptions.Item>)}
          </Descriptions>
          <Typography.Title level={5} style={{ marginTop: 16 }}>Giấy tờ đính kèm của hồ sơ</Typography.Title>
          <DossierAttachments dossierNumber={t.dossierNumber} />
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card title="Quyết định">
          {recorded && (
            <Alert
              type="success"
              showIcon
              data-testid="decision-recorded"
              style={{ marginBottom: 16 }}
              title={`Đã ghi nhận quyết định: ${taskOutcomeLabel[recorded.outcome]} — ${stepName}${recorded.pending ? ' (đang chuyển đến hồ sơ liên thông)' : ''}`}
              description={<DecisionLines lines={recorded.lines} />}
            />
          )}
          {conflict && <Alert type="warning" showIcon title={conflict} style={{ marginBottom: 16 }} closable onClose={() => setConflict(null)} />}
          {open && t.decisionPending && <Alert type="info" showIcon title={decisionPendingText} data-testid="decision-pending" />}
          {t.decisionRefused && (
            <Alert type="warning" showIcon data-testid="decision-refused" style={{ marginBottom: 16 }}
              title={`Quyết định của ${t.decisionRefused.decidedBy} lúc ${dateTime(t.decisionRefused.decidedAt)} không được hồ sơ liên thông ghi nhận; nhiệm vụ vẫn chờ quyết định.`}
              description={t.decisionRefused.reason} />
          )}
          {(t.status === 'DONE' || t.status === 'CANCELLED') && <Alert type="info" showIcon title={`${taskEndedText[t.status]}${t.outcome ? ` Kết quả: ${taskOutcomeLabel[t.outcome].toLowerCase()}.` : ''}`} data-testid="task-ended" />}
          {open && t.status === 'CLAIMED' && !mine && <Alert type="info" showIcon title={`${t.claimedBy} đang xử lý nhiệm vụ này.`} />}
          {open && t.status === 'OPEN' && me.permissions.includes('task.complete') && (
            <Typography.Paragraph>Nhận xử lý nhiệm vụ trước khi quyết định: đồng nghiệp sẽ không quyết định trùng.</Typography.Paragraph>
          )}
          {open && !t.decisionPending && me.permissions.includes('task.claim') && (
            <Space style={{ marginBottom: 16 }}>
              {t.status === 'OPEN' && <Button type="primary" loading={holder.isPending} onClick={() => holder.mutate('claim')}>Nhận xử lý</Button>}
              {mine && <Button loading={holder.isPending} onClick={() => holder.mutate('unclaim')}>Trả lại hộp chung</Button>}
            </Space>
          )}
          {mayWork && (
            <Tabs
              items={[
                {
                  key: 'complete',
                  label: 'Hoàn thành',
                  children: (
                    <Form
                      form={form}
                      layout="vertical"
                      initialValues={resultDefaults(fields, t.input)}
                      onKeyDown={keepEnterInDates}
                      onFinish={(v: Record<string, unknown>) => {
                        const result = resultValue(fields, v);
                        setConfirming({ what: 'completion', body: { result }, outcome: 'COMPLETED', lines: fields.map((f) => [resultFieldLabel[f.name] ?? f.name, shown(result[f.name])]) });
                      }}
                    >
                      <ResultFields fields={fields} />
                      <Button type="primary" htmlType="submit">Hoàn thành bước</Button>
                    </Form>
                  ),
                },
                {
                  key: 'refuse',
                  label: 'Từ chối',
                  children: (
                    <Form
                      layout="vertical"
                      onFinish={(v: { code: RefusalReason; reason: string }) =>
                        setConfirming({ what: 'refusal', body: { code: v.code, reason: v.reason.trim() }, outcome: 'REFUSED', lines: [['Lý do', refusalReasonLabel[v.code]], ['Giải thích', v.reason.trim()]] })
                      }
                    >
                      <Form.Item name="code" label="Lý do từ chối" rules={[{ required: true, message: 'Chọn lý do' }]}>
                        <Select placeholder="Chọn lý do trong danh mục" options={officerRefusalReasons.map((code) => ({ value: code, label: refusalReasonLabel[code] }))} />
                      </Form.Item>
                      <Form.Item name="reason" label="Giải thích cho công dân và bộ phận một cửa" rules={[{ required: true, min: 3, whitespace: true, message: 'Nêu lý do (ít nhất 3 ký tự)' }]}>
                        <Input.TextArea rows={3} maxLength={500} />
                      </Form.Item>
                      <Button danger htmlType="submit">Từ chối</Button>
                    </Form>
                  ),
                },
                ...(t.kind === 'ACT'
                  ? [{
                      key: 'supplement',
                      label: 'Yêu cầu bổ sung',
                      children: (
                        <Form
                          layout="vertical"
                          onFinish={(v: { documents: DocumentType[]; note?: string }) => {
                            const note = v.note?.trim();
                            setConfirming({
                              what: 'supplement-request',
                              body: { documents: v.documents, ...(note ? { reason: note } : {}) },
                              outcome: 'SUPPLEMENT_REQUESTED',
                              lines: [['Giấy tờ cần bổ sung', v.documents.map((d) => documentLabel[d]).join('; ')], ...(note ? [['Ghi chú', note] as [string, string]] : [])],
                            });
                          }}
                        >
                          <Form.Item name="documents" label="Giấy tờ cần bổ sung" rules={[{ required: true, message: 'Chọn ít nhất một giấy tờ' }]}>
                            <Select mode="multiple" placeholder="Chọn trong danh mục giấy tờ của thủ tục" options={documents.map((d) => ({ value: d, label: documentLabel[d] }))} />
                          </Form.Item>
                          <Form.Item name="note" label="Ghi chú (không bắt buộc)" rules={[{ min: 3, whitespace: true, message: 'Ít nhất 3 ký tự' }]}>
                            <Input.TextArea rows={2} maxLength={500} />
                          </Form.Item>
                          <Button htmlType="submit">Yêu cầu bổ sung</Button>
                        </Form>
                      ),
                    }]
                  : []),
              ]}
            />
          )}
        </Card>
        {mayWork && t.kind === 'ACT' && me.permissions.includes('task.apologise') && (
          <Card title="Trễ hẹn, cần xác minh" style={{ marginTop: 16 }} data-testid="appointment-actions">
            <AppointmentActions taskId={t.id} onChanged={onAnswer} />
          </Card>
        )}
      </Col>
      <Modal
        title={confirming ? `Xác nhận: ${taskOutcomeLabel[confirming.outcome]} — ${stepName}` : ''}
        open={confirming !== null}
        okText="Ghi nhận quyết định"
        cancelText="Xem lại"
        okButtonProps={{ danger: confirming?.outcome === 'REFUSED', loading: decide.isPending }}
        onOk={() => confirming && decide.mutate(confirming)}
        onCancel={() => setConfirming(null)}
        destroyOnHidden
      >
        <div data-testid="decision-confirm">
          <Typography.Paragraph>Hồ sơ {t.dossierNumber}. Quyết định sẽ được ghi vào hồ sơ liên thông và không sửa được:</Typography.Paragraph>
          {confirming && <DecisionLines lines={confirming.lines} />}
        </div>
      </Modal>
    </Row>
  );
}

function DecisionLines({ lines }: { lines: [string, string][] }) {
  return (
    <Descriptions size="small" column={1} bordered>
      {lines.map(([label, value]) => <Descriptions.Item key={label} label={label}>{value}</Descriptions.Item>)}
    </Descriptions>
  );
}
