import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Form, Input, Modal, Popconfirm, Result, Select, Space, Spin, Table, Tag, Timeline, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import type { DossierStatusView } from '../../../api/dossier-status';
import type { Timeline as TimelineView } from '../../../api/routes/supervision';
import type { Me } from '../../../api/routes/session';
import type { AgencyRole, ProcedureGroup, StepCode } from '../../../domain/procedures';
import { stepDocuments, type DocumentType } from '../../../domain/catalogues';
import type { IncidentDecision, IncidentKind } from '../../../workflows/contract';
import { api, ApiProblem, useRetryKey } from '../api';
import { CitizenAnnouncements } from '../components/CitizenAnnouncements';
import { DossierMap } from '../components/DossierMap';
import { ReceiptSlip } from '../components/ReceiptSlip';
import { DossierAttachments } from '../components/DossierAttachments';
import { ResultDocuments } from '../components/ResultDocuments';
import type { ReceiptSlipData } from '../../../domain/receipt-slip';
import { date, dateTime, workingDaysText } from '../format';
import { problemText, agencyLabel, decisionLabel, documentLabel, dossierStateLabel, groupLabel, incidentKindLabel, incidentText, principalText, refusalText, resultFieldLabel, stepLabel, stepStatusLabel, taskKindLabel, taskStatusLabel, timelineEventText } from '../labels';
import { PageTitle } from '../components/PageTitle';
import { AppointmentChanges } from '../components/AppointmentChanges';

type Step = DossierStatusView['steps'][number];
const active = (status: string) => status === 'RECEIVED' || status === 'IN_PROGRESS';
const stepColor: Record<string, string> = { COMPLETED: 'green', INCIDENT: 'red', REFUSED: 'red', WAITING_FOR_SUPPLEMENT: 'orange', RUNNING: 'blue', COMPENSATED: 'purple' };

/** One dossier as its users follow it: each step, who holds it, how long is left, and what can be done now. */
export function DossierPage({ me }: { me: Me }) {
  const { dossierNumber = '' } = useParams();
  const path = `/v1/dossiers/${encodeURIComponent(dossierNumber)}`;
  const status = useQuery({ queryKey: ['dossier', dossierNumber], queryFn: () => api<DossierStatusView>(path), refetchInterval: 3_000 });
  if (status.isLoading) return <Spin />;
  if (status.isError || !status.data) return <Result status="404" title="Không xem được hồ sơ" subTitle={status.error?.message} />;
  const dossier = status.data;
  const label = dossierStateLabel(dossier.status, dossier.stopping);
  const late = workingDaysText(dossier.workingDaysLeft, dossier.overdue);
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card title={<PageTitle>Hồ sơ {dossier.dossierNumber}</PageTitle>} extra={<Tag color={label?.color} data-testid="dossier-status">{label?.text ?? dossier.status}</Tag>}>
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label="Nhóm thủ tục">{groupLabel[dossier.procedureGroup]}</Descriptions.Item>
          <Descriptions.Item label="Tiếp nhận">{dateTime(dossier.receivedAt)}</Descriptions.Item>
          <Descriptions.Item label="Hạn trả kết quả">
            <Typography.Text type={dossier.overdue ? 'danger' : undefined}>{dateTime(dossier.dueAt)}{late ? ` — ${late}` : ''}</Typography.Text>
          </Descriptions.Item>
          {dossier.appointmentAt !== dossier.dueAt && <Descriptions.Item label="Ngày hẹn lại">{dateTime(dossier.appointmentAt)}</Descriptions.Item>}
          {dossier.completedAt && <Descriptions.Item label="Kết thúc">{dateTime(dossier.completedAt)}</Descriptions.Item>}
          {dossier.stopReason && <Descriptions.Item label="Lý do dừng">{dossier.stopReason}</Descriptions.Item>}
          {dossier.escalationLevel > 0 && <Descriptions.Item label="Đã báo cáo quá hạn">lần {dossier.escalationLevel}</Descriptions.Item>}
          {dossier.temporalUiUrl && me.role === 'SUPERVISOR' && (
            <Descriptions.Item label="Quy trình"><a href={dossier.temporalUiUrl} target="_blank" rel="noreferrer">Mở trong Temporal UI</a></Descriptions.Item>
          )}
        </Descriptions>
        <AppointmentChanges changes={dossier.appointmentChanges} />
      </Card>
      <Card title="Sơ đồ hồ sơ">
        <DossierMap dossierNumber={dossier.dossierNumber} />
      </Card>
      <Card title="Các bước">
        <Timeline items={dossier.steps.map((step) => ({ color: stepColor[step.status] ?? 'gray', content: <StepEntry step={step} /> }))} />
      </Card>
      {(dossier.status === 'COMPLETED' || dossier.status === 'PARTIALLY_COMPLETED') && <ResultDocuments path={path} />}
      <Card title="Giấy tờ đính kèm">
        <DossierAttachments dossierNumber={dossier.dossierNumber} group={dossier.procedureGroup} canUpload={me.role === 'CLERK' && active(dossier.status)} />
      </Card>
      {dossier.announcements && (
        <Card title="Thông báo cho công dân" data-testid="announcements">
          <CitizenAnnouncements announcements={dossier.announcements} />
        </Card>
      )}
      {me.role === 'CLERK' && active(dossier.status) && !dossier.stopping && <ClerkActions dossier={dossier} path={path} />}
      {me.role === 'CLERK' && <ReceiptCodeCard dossier={dossier} path={path} />}
      {me.role === 'SUPERVISOR' && <SupervisorPanel dossier={dossier} path={path} />}
    </Space>
  );
}

/** A result value as a person reads it: dates and instants in Vietnamese form, the rest as given. */
function resultText(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return date(value);
  return /^\d{4}-\d{2}-\d{2}T/.test(value) ? dateTime(value) : value;
}

function StepEntry({ step }: { step: Step }) {
  const label = stepStatusLabel[step.status];
  const left = workingDaysText(step.workingDaysLeft, step.overdue);
  return (
    <div data-testid={`step-${step.step}`}>
      <Space wrap>
        <Typography.Text strong>{stepLabel[step.step as StepCode] ?? step.title}</Typography.Text>
        <Tag color={label?.color}>{label?.text ?? step.status}</Tag>
        <Typography.Text type="secondary">{agencyLabel[step.agency as AgencyRole] ?? step.agency}</Typography.Text>
        {step.mode === 'MANUAL' && <Tag>Xử lý thủ công</Tag>}
        {left && <Typography.Text type={step.overdue ? 'danger' : 'secondary'} strong={step.overdue}>{left}</Typography.Text>}
      </Space>
      {step.task && (step.task.status === 'OPEN' || step.task.status === 'CLAIMED') && (
        <div>
          <Typography.Text type="secondary">
            {taskKindLabel[step.task.kind]}: {taskStatusLabel[step.task.status]?.text}
            {step.task.claimedBy ? ` — ${step.task.claimedBy} nhận lúc ${dateTime(step.task.claimedAt)}` : ' — chưa có cán bộ nhận'}; hạn {dateTime(step.task.dueAt)}
          </Typography.Text>
        </div>
      )}
      {step.result && (
        <div>
          {Object.entries(step.result).map(([k, v]) => (
            <Tag key={k} color="green">{resultFieldLabel[k] ?? k}: {resultText(v)}</Tag>
          ))}
        </div>
      )}
      {step.refusal && <Alert type="error" showIcon title={`Từ chối: ${refusalText(step.refusal.code)}`} description={step.refusal.reason} style={{ marginTop: 4 }} />}
      {step.supplement && step.status === 'WAITING_FOR_SUPPLEMENT' && (
        <Alert type="warning" showIcon title="Công dân cần bổ sung giấy tờ" description={`${step.supplement.reason ?? ''}${step.supplement.dueAt ? ` — hạn ${dateTime(step.supplement.dueAt)}` : ''}`} style={{ marginTop: 4 }} />
      )}
      {step.compensation && (
        <div><Tag color="purple">Đã hủy kết quả lúc {dateTime(step.compensation.compensatedAt)}{step.compensation.reference ? ` (số ${step.compensation.reference})` : ''}</Tag></div>
      )}
      {step.lastError && step.status === 'INCIDENT' && <TechnicalError error={step.lastError} agency={step.agency} />}
    </div>
  );
}

/**
 * The citizen's receipt code: when it was issued, and a new one for a lost receipt or a dossier received
 * before codes existed. The old code stops working; the new one is shown once, on a printable receipt.
 */
function ReceiptCodeCard({ dossier, path }: { dossier: DossierStatusView; path: string }) {
  const client = useQueryClient();
  const { message } = App.useApp();
  const [issued, setIssued] = useState<{ receiptCode: string; slip: ReceiptSlipData } | null>(null);
  const issue = useMutation({
    mutationFn: () => api<{ receiptCode: string; slip: ReceiptSlipData }>(`${path}/receipt-code`, { method: 'POST' }),
    onSuccess: (answer) => {
      setIssued(answer);
      void client.invalidateQueries({ queryKey: ['dossier', dossier.dossierNumber] });
    },
    onError: (error) => message.error(error instanceof ApiProblem ? problemText(error) : error.message),
  });
  return (
    <Card title="Giấy tiếp nhận và mã tra cứu">
      <Space wrap>
        <Typography.Text data-testid="receipt-code-issued">
          {dossier.receiptCodeIssuedAt ? `Mã tra cứu đã cấp lúc ${dateTime(dossier.receiptCodeIssuedAt)}.` : 'Hồ sơ chưa có mã tra cứu.'}
        </Typography.Text>
        <Popconfirm
          title="Cấp mã tra cứu mới?"
          description={dossier.receiptCodeIssuedAt ? 'Mã đã cấp trước đây sẽ không dùng được nữa.' : undefined}
          okText="Cấp mã mới"
          cancelText="Không"
          onConfirm={() => issue.mutate()}
        >
          <Button loading={issue.isPending}>Cấp mã tra cứu mới</Button>
        </Popconfirm>
      </Space>
      <Modal title="Mã tra cứu mới" open={issued !== null} onCancel={() => setIssued(null)} footer={<Button onClick={() => setIssued(null)}>Đóng</Button>} destroyOnHidden>
        {issued && <ReceiptSlip dossierNumber={dossier.dossierNumber} receiptCode={issued.receiptCode} slip={issued.slip} group={dossier.procedureGroup} receivedAt={dossier.receivedAt} dueAt={dossier.appointmentAt} />}
      </Modal>
    </Card>
  );
}

/** A confirmation with a reason, then one call; its Idempotency-Key is fixed when the dialog opens, so a double click is one act. */
function useAct(path: string, refresh: () => void) {
  const { message } = App.useApp();
  return useMutation({
    mutationFn: ({ to, body, key }: { to: string; body: unknown; key: string }) => api(`${path}/${to}`, { method: 'POST', body, idempotencyKey: key }),
    onSuccess: () => {
      message.success('Đã gửi yêu cầu');
      refresh();
    },
    onError: (error) => message.error(error instanceof ApiProblem ? problemText(error) : error.message),
  });
}

function ReasonDialog({ title, okText, danger, open, onCancel, onOk, children }: { title: string; okText: string; danger?: boolean; open: boolean; onCancel: () => void; onOk: (reason: string) => void; children?: React.ReactNode }) {
  const [reason, setReason] = useState('');
  return (
    <Modal title={title} open={open} okText={okText} cancelText="Đóng" onCancel={onCancel} okButtonProps={{ danger, disabled: reason.trim().length < 3 }} onOk={() => onOk(reason.trim())} destroyOnHidden>
      {children}
      <Input.TextArea aria-label="Lý do" placeholder="Lý do (bắt buộc)" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} rows={3} autoFocus />
    </Modal>
  );
}

function ClerkActions({ dossier, path }: { dossier: DossierStatusView; path: string }) {
  const client = useQueryClient();
  const act = useAct(path, () => void client.invalidateQueries({ queryKey: ['dossier', dossier.dossierNumber] }));
  const [withdrawing, setWithdrawing] = useState<string | null>(null);
  const waiting = dossier.steps.filter((s) => s.status === 'WAITING_FOR_SUPPLEMENT');
  const supplementKey = useRetryKey();
  return (
    <Card title="Thao tác của bộ phận một cửa">
      {waiting.map((step) => (
        <SupplementForm key={step.step} step={step} dossierNumber={dossier.dossierNumber} group={dossier.procedureGroup} onSubmit={(body) => act.mutate({ to: 'supplements', body, key: supplementKey.key() }, { onSettled: (_, error) => supplementKey.settle(error) })} pending={act.isPending} />
      ))}
      <Button danger onClick={() => setWithdrawing(crypto.randomUUID())}>Rút hồ sơ theo yêu cầu công dân</Button>
      <ReasonDialog
        title="Rút hồ sơ"
        okText="Rút hồ sơ"
        danger
        open={withdrawing !== null}
        onCancel={() => setWithdrawing(null)}
        onOk={(reason) => {
          act.mutate({ to: 'withdrawal', body: { reason }, key: withdrawing! });
          setWithdrawing(null);
        }}
      >
        <Typography.Paragraph>Các kết quả đã cấp (số định danh, đăng ký thường trú…) sẽ được các cơ quan hủy.</Typography.Paragraph>
      </ReasonDialog>
    </Card>
  );
}

/** The documents the citizen brought, picked from the step's catalogue (the API refuses any other). */
function SupplementForm({ step, dossierNumber, group, onSubmit, pending }: { step: Step; dossierNumber: string; group: ProcedureGroup; onSubmit: (body: unknown) => void; pending: boolean }) {
  const [form] = Form.useForm();
  const documents = stepDocuments[step.step as StepCode] ?? [];
  return (
    <Form form={form} layout="vertical" onFinish={(v: { documents: DocumentType[]; note?: string }) => onSubmit({ step: step.step, documents: v.documents, ...(v.note?.trim() ? { note: v.note.trim() } : {}) })}>
      <Typography.Title level={5}>Bổ sung cho bước {stepLabel[step.step as StepCode]}</Typography.Title>
      <Typography.Paragraph type="warning">{step.supplement?.reason}</Typography.Paragraph>
      <Form.Item name="documents" label="Giấy tờ đã nhận của công dân" rules={[{ required: true, message: 'Chọn ít nhất một giấy tờ' }]}>
        <Select mode="multiple" placeholder="Chọn trong danh mục giấy tờ của thủ tục" options={documents.map((d) => ({ value: d, label: documentLabel[d] }))} />
      </Form.Item>
      <Form.Item label="Bản quét giấy tờ (không bắt buộc)">
        <DossierAttachments
          dossierNumber={dossierNumber}
          group={group}
          documents={documents}
          canUpload
          listed={false}
          onUploaded={(d) => form.setFieldValue('documents', [...new Set([...((form.getFieldValue('documents') as DocumentType[] | undefined) ?? []), d])])}
        />
      </Form.Item>
      <Form.Item name="note" label="Ghi chú"><Input maxLength={1000} /></Form.Item>
      <Button type="primary" htmlType="submit" loading={pending} style={{ marginBottom: 16 }}>Gửi bổ sung</Button>
    </Form>
  );
}

/** An agency's technical message, said plainly; the message itself for whoever needs it, on hover. */
function TechnicalError({ error, agency }: { error: string; agency?: string }) {
  return (
    <Tooltip title={error}>
      <Typography.Text type="danger">Lỗi: {incidentText(error, agency)}</Typography.Text>
    </Tooltip>
  );
}

function SupervisorPanel({ dossier, path }: { dossier: DossierStatusView; path: string }) {
  const client = useQueryClient();
  const timeline = useQuery({ queryKey: ['timeline', dossier.dossierNumber], queryFn: () => api<TimelineView>(`${path}/timeline`), refetchInterval: 5_000 });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ['dossier', dossier.dossierNumber] });
    void client.invalidateQueries({ queryKey: ['timeline', dossier.dossierNumber] });
  };
  const act = useAct(path, refresh);
  const [deciding, setDeciding] = useState<{ incident: TimelineView['incidents'][number]; decision: IncidentDecision; key: string } | null>(null);
  const [cancelling, setCancelling] = useState<string | null>(null);
  const open = timeline.data?.incidents.filter((i) => i.status === 'OPEN') ?? [];
  return (
    <>
      <Card title="Sự cố" extra={active(dossier.status) && !dossier.stopping && <Button danger onClick={() => setCancelling(crypto.randomUUID())}>Hủy đăng ký (đăng ký sai/trùng)</Button>}>
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={timeline.data?.incidents}
          scroll={{ x: 700 }}
          columns={[
            { title: 'Bước', dataIndex: 'step', render: (s: string) => stepLabel[s as StepCode] ?? s },
            { title: 'Loại', dataIndex: 'kind', render: (k: IncidentKind) => incidentKindLabel[k] ?? k },
            { title: 'Mở lúc', dataIndex: 'openedAt', render: dateTime },
            { title: 'Lỗi', dataIndex: 'lastError', render: (e: string, i) => <TechnicalError error={e} agency={dossier.steps.find((s) => s.step === i.step)?.agency} /> },
            { title: 'Trạng thái', dataIndex: 'status', render: (s: string, i) => (s === 'OPEN' ? <Tag color="red">Đang mở</Tag> : <Tag>{i.decision ? decisionLabel[i.decision as IncidentDecision] ?? i.decision : 'Đã đóng'}</Tag>) },
            {
              title: '',
              render: (_, incident) =>
                incident.status === 'OPEN' && (
                  <Space>
                    {(incident.kind === 'BOOKKEEPING' ? ['RETRY' as const] : (['RETRY', 'SKIP', 'CANCEL_GROUP'] as const)).map((decision) => (
                      <Button key={decision} size="small" danger={decision !== 'RETRY'} onClick={() => setDeciding({ incident, decision, key: crypto.randomUUID() })}>{decisionLabel[decision]}</Button>
                    ))}
                  </Space>
                ),
            },
          ]}
        />
        {open.length === 0 && <Typography.Text type="secondary">Không có sự cố đang mở.</Typography.Text>}
      </Card>
      <Card title="Nhật ký hồ sơ">
        <Table
          rowKey={(e) => `${e.at}-${e.type}-${e.source}-${e.step ?? ''}`}
          size="small"
          dataSource={timeline.data?.entries}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 700 }}
          columns={[
            { title: 'Thời điểm', dataIndex: 'at', render: dateTime, width: 150 },
            { title: 'Nguồn', dataIndex: 'source', render: (s: string) => (s === 'audit' ? <Tag color="gold">Thao tác</Tag> : <Tag>Quy trình</Tag>), width: 100 },
            { title: 'Sự kiện', dataIndex: 'type', render: timelineEventText },
            { title: 'Bước', dataIndex: 'step', render: (s: string | null) => (s ? stepLabel[s as StepCode] ?? s : '') },
            { title: 'Người thực hiện', dataIndex: 'actor', render: principalText },
          ]}
        />
      </Card>
      <ReasonDialog
        title={deciding ? `${decisionLabel[deciding.decision]}: ${stepLabel[deciding.incident.step as StepCode] ?? deciding.incident.step}` : ''}
        okText={deciding ? decisionLabel[deciding.decision] ?? '' : ''}
        danger={deciding?.decision !== 'RETRY'}
        open={deciding !== null}
        onCancel={() => setDeciding(null)}
        onOk={(reason) => {
          if (!deciding) return;
          act.mutate({ to: `incidents/${deciding.incident.step}/decision`, body: { decision: deciding.decision, reason, incidentId: deciding.incident.id }, key: deciding.key });
          setDeciding(null);
        }}
      />
      <ReasonDialog
        title="Hủy đăng ký: mọi kết quả của nhóm thủ tục sẽ bị hủy"
        okText="Hủy đăng ký"
        danger
        open={cancelling !== null}
        onCancel={() => setCancelling(null)}
        onOk={(reason) => {
          act.mutate({ to: 'registration-cancellation', body: { reason }, key: cancelling! });
          setCancelling(null);
        }}
      />
    </>
  );
}
