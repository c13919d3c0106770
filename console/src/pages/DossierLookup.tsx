import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Descriptions, Form, Input, Row, Space, Tag, Timeline, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import type { PublicDossierStatus } from '../../../api/public-dossier-status';
import { dossierNumberSchema } from '../../../domain/intake';
import type { AgencyRole, StepCode } from '../../../domain/procedures';
import { receiptCodeSchema } from '../../../domain/receipt-code';
import { api, ApiProblem } from '../api';
import { downloadPdf } from '../downloads';
import { date, dateTime } from '../format';
import { agencyLabel, citizenActionText, documentLabel, citizenStepStatusLabel, dossierStateLabel, groupLabel, reasonInVietnamese, stepLabel } from '../labels';
import { PageTitle } from '../components/PageTitle';
import { AppointmentChanges } from '../components/AppointmentChanges';

type Step = PublicDossierStatus['steps'][number];
const stepColor: Record<string, string> = { COMPLETED: 'green', REFUSED: 'red', WAITING_FOR_CITIZEN: 'orange', IN_PROGRESS: 'blue', UNDONE: 'purple' };

/** A form rule from the API's own schema, so the page refuses what the API would, in the page's words. */
const rule = (schema: { safeParse: (v: unknown) => { success: boolean; error?: { issues: { message: string }[] } } }) => ({
  validator: async (_: unknown, value: unknown) => {
    const parsed = schema.safeParse(value ?? '');
    if (!parsed.success) throw new Error(reasonInVietnamese(parsed.error?.issues[0]?.message ?? 'invalid'));
  },
});

/** Why the lookup gave nothing, as the citizen can act on it; a wrong code and an unknown number read alike, as the API answers them. */
function failureText(error: Error): string {
  if (!(error instanceof ApiProblem)) return error.message;
  if (error.status === 404) return 'Không tìm thấy hồ sơ với số hồ sơ và mã tra cứu này. Kiểm tra lại hai dòng in trên giấy tiếp nhận.';
  if (error.status === 429) return 'Ông/bà đã tra cứu nhiều lần liên tiếp. Vui lòng thử lại sau ít phút.';
  if (error.status === 0) return error.message;
  return 'Hệ thống đang bận, vui lòng thử lại sau ít phút.';
}

/**
 * The citizen's page, outside the signed-in console: the dossier number and receipt code from the
 * receipt, then the steps with their dates and what is expected of the citizen. No login, no personal data.
 */
export function DossierLookup() {
  const [form] = Form.useForm<{ dossierNumber: string; receiptCode: string }>();
  const lookup = useMutation({
    mutationFn: (query: { dossierNumber: string; receiptCode: string }) =>
      api<PublicDossierStatus>('/v1/public/dossier-status', { method: 'POST', body: query, anonymous: true }),
    onError: (error) => {
      if (error instanceof ApiProblem && error.status === 400)
        form.setFields(
          error.errors
            .map((e) => ({ name: e.field.replace(/^body\./, ''), errors: [reasonInVietnamese(e.reason)] }))
            .filter((f): f is { name: 'dossierNumber' | 'receiptCode'; errors: string[] } => f.name === 'dossierNumber' || f.name === 'receiptCode'),
        );
    },
  });
  return (
    <Row justify="center" style={{ padding: 12, minHeight: '100vh', background: '#f5f5f5' }}>
      <Col xs={24} md={18} lg={12}>
        <header>
          <PageTitle style={{ fontSize: 30, margin: '8px 0 16px' }}>Tra cứu hồ sơ liên thông</PageTitle>
          <Typography.Paragraph>Khai sinh, khai tử liên thông (Nghị định 63/2024/NĐ-CP): nhập số hồ sơ và mã tra cứu in trên giấy tiếp nhận.</Typography.Paragraph>
        </header>
        <main>
          <Card>
            <Form form={form} layout="vertical" onFinish={(values) => lookup.mutate({ dossierNumber: values.dossierNumber.trim(), receiptCode: values.receiptCode })} requiredMark={false}>
              <Form.Item name="dossierNumber" label="Số hồ sơ" rules={[rule(dossierNumberSchema)]} validateTrigger="onSubmit">
                <Input size="large" autoComplete="off" spellCheck={false} maxLength={64} placeholder="H79.26743-…" />
              </Form.Item>
              <Form.Item name="receiptCode" label="Mã tra cứu" rules={[rule(receiptCodeSchema)]} validateTrigger="onSubmit" extra="8 chữ và số, ví dụ 7KQ2-M9XD; không phân biệt chữ hoa, chữ thường.">
                <Input size="large" autoComplete="off" spellCheck={false} autoCapitalize="characters" maxLength={32} />
              </Form.Item>
              <Button type="primary" size="large" htmlType="submit" loading={lookup.isPending} block>Tra cứu</Button>
            </Form>
          </Card>
          <section aria-live="polite" style={{ marginTop: 16 }}>
            {lookup.isError && !(lookup.error instanceof ApiProblem && lookup.error.status === 400) && (
              <Alert type="warning" showIcon title={failureText(lookup.error)} data-testid="lookup-failure" />
            )}
            {lookup.data && <DossierProgress dossier={lookup.data} query={lookup.variables!} />}
          </section>
        </main>
        <Typography.Paragraph type="secondary" style={{ marginTop: 24 }}>
          <Link to="/">Cán bộ đăng nhập</Link>
        </Typography.Paragraph>
      </Col>
    </Row>
  );
}

/** The dossier as its receipt opens it: the group, the appointment, where to collect, and each step on a timeline. */
function DossierProgress({ dossier, query }: { dossier: PublicDossierStatus; query: { dossierNumber: string; receiptCode: string } }) {
  const status = dossierStateLabel(dossier.status, dossier.stopping);
  const todo = citizenActionText[dossier.citizenAction];
  return (
    <Card data-testid="lookup-result">
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {/* The whole number, wrapped where it must: a card title would cut it short on a phone. */}
        <Space wrap align="center">
          <Typography.Title level={4} style={{ margin: 0, overflowWrap: 'anywhere' }} data-testid="lookup-number">
            Hồ sơ {dossier.dossierNumber}
          </Typography.Title>
          <Tag color={status?.color} data-testid="lookup-status">{status?.text ?? dossier.status}</Tag>
        </Space>
        <Descriptions size="small" column={1}>
          <Descriptions.Item label="Thủ tục">{groupLabel[dossier.procedureGroup]}</Descriptions.Item>
          <Descriptions.Item label="Ngày tiếp nhận">{dateTime(dossier.receivedAt)}</Descriptions.Item>
          <Descriptions.Item label="Ngày hẹn trả kết quả">{date(dossier.appointmentAt)}</Descriptions.Item>
          {dossier.completedAt && <Descriptions.Item label="Ngày kết thúc">{dateTime(dossier.completedAt)}</Descriptions.Item>}
        </Descriptions>
        <AppointmentChanges changes={dossier.appointmentChanges} />
        {todo ? (
          <Alert type="warning" showIcon title="Việc ông/bà cần làm" description={todo} data-testid="lookup-todo" />
        ) : (
          <Alert type="info" showIcon title="Ông/bà chưa cần làm gì thêm: các cơ quan đang xử lý hoặc đã xử lý xong." />
        )}
        <ResultCollection dossier={dossier} query={query} />
        <Timeline items={dossier.steps.map((step) => ({ color: stepColor[step.status] ?? 'gray', content: <CitizenStep step={step} /> }))} />
      </Space>
    </Card>
  );
}

const documentTitle: Record<PublicDossierStatus['results'][number], string> = { extract: 'Trích lục (bản điện tử)', receipt: 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả' };

/** When and where the results are collected, what to bring, and the electronic results once they exist. */
function ResultCollection({ dossier, query }: { dossier: PublicDossierStatus; query: { dossierNumber: string; receiptCode: string } }) {
  const download = useMutation({
    mutationFn: (document: PublicDossierStatus['results'][number]) =>
      downloadPdf(`/v1/public/dossier-results/${document}`, { body: query, anonymous: true }),
  });
  const ready = dossier.results.length > 0;
  return (
    <section aria-labelledby="lookup-collect-title" data-testid="lookup-collect">
      <Typography.Title level={5} id="lookup-collect-title">{ready ? 'Kết quả đã có' : 'Nhận kết quả'}</Typography.Title>
      {ready ? (
        <>
          <Typography.Paragraph>Tải kết quả điện tử về máy (bản không ghi họ tên; số định danh và số thẻ BHYT chỉ hiện 4 ký tự cuối):</Typography.Paragraph>
          <Space wrap>
            {dossier.results.map((document) => (
              <Button key={document} icon={<DownloadOutlined aria-hidden />} onClick={() => download.mutate(document)} loading={download.isPending && download.variables === document} data-testid={`download-${document}`}>
                {documentTitle[document]}
              </Button>
            ))}
          </Space>
          {download.isError && <Alert style={{ marginTop: 8 }} type="warning" showIcon title={failureText(download.error)} data-testid="download-failure" />}
          <Typography.Paragraph style={{ marginTop: 8 }}>Bản đầy đủ nhận tại:</Typography.Paragraph>
        </>
      ) : (
        <Typography.Paragraph>
          Ngày hẹn trả kết quả: <Typography.Text strong data-testid="lookup-appointment">{date(dossier.appointmentAt)}</Typography.Text>, tại:
        </Typography.Paragraph>
      )}
      <Typography.Paragraph data-testid="lookup-office">
        <Typography.Text strong>{dossier.office.name}</Typography.Text>
        <br />
        {dossier.office.address}
        {dossier.office.hours && (
          <>
            <br />
            Giờ làm việc: {dossier.office.hours}
          </>
        )}
      </Typography.Paragraph>
      <Typography.Text strong>Giấy tờ cần mang theo khi nhận kết quả</Typography.Text>
      <ul data-testid="lookup-bring" style={{ paddingInlineStart: 20, marginTop: 4 }}>
        <li>Giấy tiếp nhận hồ sơ và hẹn trả kết quả</li>
        {dossier.documentsToBring.map((document) => (
          <li key={document}>{document === 'AUTHORIZATION_LETTER' ? `${documentLabel[document]} (khi nhận thay người nộp hồ sơ)` : documentLabel[document]}</li>
        ))}
      </ul>
    </section>
  );
}

function CitizenStep({ step }: { step: Step }) {
  const label = citizenStepStatusLabel[step.status];
  return (
    <div data-testid={`lookup-step-${step.step}`}>
      <Space wrap size={4}>
        <Typography.Text strong>{stepLabel[step.step as StepCode] ?? step.step}</Typography.Text>
        <Tag color={label?.color}>{label?.text ?? step.status}</Tag>
      </Space>
      <div>
        <Typography.Text type="secondary">{agencyLabel[step.agency as AgencyRole] ?? step.agency}</Typography.Text>
      </div>
      {(step.startedAt || step.finishedAt) && (
        <div>
          <Typography.Text type="secondary">
            {step.startedAt && `Bắt đầu ${dateTime(step.startedAt)}`}
            {step.startedAt && step.finishedAt && ' · '}
            {step.finishedAt && `Xong ${dateTime(step.finishedAt)}`}
          </Typography.Text>
        </div>
      )}
      {step.citizenAction === 'BRING_SUPPLEMENT' && (
        <Typography.Text type="warning" strong>
          Cần bổ sung giấy tờ{step.supplementDueAt ? ` trước ${dateTime(step.supplementDueAt)}` : ''}
        </Typography.Text>
      )}
      {step.citizenAction === 'CONTACT_DESK' && <Typography.Text type="danger">Liên hệ bộ phận một cửa để biết lý do</Typography.Text>}
    </div>
  );
}
