import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Form, Input, Result, Row, Space, Spin, Tabs, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import type { Me } from '../../../api/routes/session';
import type { TaskDetail, TaskView } from '../../../api/routes/tasks';
import type { StepCode } from '../../../domain/procedures';
import { api, ApiProblem, useRetryKey } from '../api';
import { date, dateTime } from '../format';
import { inputLabel, inputValue, problemText, reasonInVietnamese, stepLabel, taskKindLabel, taskStatusLabel } from '../labels';
import { ResultFields, resultDefaults, resultFields, resultValue } from '../forms/result-fields';

/** The data the agency decides on, flattened to labelled lines ("child.fullName: …"). */
function flatten(value: unknown, prefix = ''): [string, string][] {
  if (value === null || value === undefined) return [];
  if (typeof value !== 'object') return [[prefix, String(value)]];
  return Object.entries(value).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
}

const decisionPendingText = 'Quyết định đã được ghi nhận và đang được chuyển đến hồ sơ liên thông; không cần thao tác lại.';

/** One task: what to decide on, and the officer's decision (complete with the result, refuse, ask for documents). */
export function TaskPage({ me }: { me: Me }) {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [conflict, setConflict] = useState<string | null>(null);
  const [form] = Form.useForm();
  const task = useQuery({ queryKey: ['task', id], queryFn: () => api<TaskDetail>(`/v1/tasks/${id}`), refetchInterval: 5_000 });
  const fields = useMemo(() => (task.data ? resultFields(task.data.step as StepCode, task.data.kind) : []), [task.data?.step, task.data?.kind]);
  const retryKey = useRetryKey();
  const decide = useMutation({
    mutationFn: ({ what, body }: { what: string; body?: unknown }) => api<TaskView>(`/v1/tasks/${id}/${what}`, { method: 'POST', body, idempotencyKey: retryKey.key() }),
    onSettled: (_, error) => retryKey.settle(error),
    onSuccess: (answer, { what }) => {
      setConflict(null);
      if (answer?.decisionPending) message.info(decisionPendingText);
      else message.success({ claim: 'Đã nhận xử lý', unclaim: 'Đã trả lại hộp chung', completion: 'Đã hoàn thành', refusal: 'Đã từ chối', 'supplement-request': 'Đã yêu cầu bổ sung' }[what] ?? 'Đã gửi');
      void client.invalidateQueries({ queryKey: ['task', id] });
      void client.invalidateQueries({ queryKey: ['tasks'] });
    },
    onError: (error) => {
      if (error instanceof ApiProblem && error.errors.length > 0) {
        form.setFields(error.errors.map((e) => ({ name: e.field.split('.').slice(2), errors: [reasonInVietnamese(e.reason)] })));
      }
      // Someone else was quicker, or the dossier moved on: say so plainly and show the task as it is now.
      setConflict(error instanceof ApiProblem ? problemText(error) : error.message);
      void client.invalidateQueries({ queryKey: ['task', id] });
    },
  });
  if (task.isLoading) return <Spin />;
  if (task.isError || !task.data) return <Result status="404" title="Không xem được nhiệm vụ" subTitle={task.error?.message} />;
  const t = task.data;
  const open = t.status === 'OPEN' || t.status === 'CLAIMED';
  const mine = t.status === 'CLAIMED' && t.claimedBy === me.subject;
  // A decision on its way to the procedure group: nothing more to decide until it is recorded.
  const mayWork = me.permissions.includes('task.complete') && open && !t.decisionPending && (t.status === 'OPEN' || mine);
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={12}>
        <Card
          title={<Typography.Title level={4} style={{ margin: 0 }}>{taskKindLabel[t.kind]}: {stepLabel[t.step as StepCode] ?? t.title}</Typography.Title>}
          extra={<Tag color={taskStatusLabel[t.status]?.color} data-testid="task-status">{taskStatusLabel[t.status]?.text}</Tag>}
        >
          <Descriptions size="small" column={1}>
            <Descriptions.Item label="Hồ sơ"><Link to={`/ho-so/${encodeURIComponent(t.dossierNumber)}`}>{t.dossierNumber}</Link></Descriptions.Item>
            <Descriptions.Item label="Hạn xử lý"><Typography.Text type={t.overdue ? 'danger' : undefined}>{dateTime(t.dueAt)}{t.overdue ? ' (quá hạn)' : ''}</Typography.Text></Descriptions.Item>
            <Descriptions.Item label="Người xử lý">{t.claimedBy ?? 'chưa có'}</Descriptions.Item>
            {t.completedBy && <Descriptions.Item label="Đã quyết định">{t.completedBy}, {dateTime(t.completedAt)}</Descriptions.Item>}
          </Descriptions>
          <Typography.Title level={5}>Dữ liệu yêu cầu</Typography.Title>
          <Descriptions size="small" column={1} bordered>
            {flatten(t.input).map(([k, v]) => <Descriptions.Item key={k} label={inputLabel(k)}>{/^\d{4}-\d{2}-\d{2}$/.test(v) ? date(v) : inputValue(v)}</Descriptions.Item>)}
          </Descriptions>
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card title="Quyết định">
          {conflict && <Alert type="warning" showIcon title={conflict} style={{ marginBottom: 16 }} closable onClose={() => setConflict(null)} />}
          {open && t.decisionPending && <Alert type="info" showIcon title={decisionPendingText} data-testid="decision-pending" />}
          {t.decisionRefused && (
            <Alert type="warning" showIcon data-testid="decision-refused" style={{ marginBottom: 16 }}
              title={`Quyết định của ${t.decisionRefused.decidedBy} lúc ${dateTime(t.decisionRefused.decidedAt)} không được hồ sơ liên thông ghi nhận; nhiệm vụ vẫn chờ quyết định.`}
              description={t.decisionRefused.reason} />
          )}
          {!open && <Alert type="info" showIcon title={`Nhiệm vụ đã ${taskStatusLabel[t.status]?.text.toLowerCase()}.`} />}
          {open && t.status === 'CLAIMED' && !mine && <Alert type="info" showIcon title={`${t.claimedBy} đang xử lý nhiệm vụ này.`} />}
          {open && !t.decisionPending && me.permissions.includes('task.claim') && (
            <Space style={{ marginBottom: 16 }}>
              {t.status === 'OPEN' && <Button type="primary" onClick={() => decide.mutate({ what: 'claim' })}>Nhận xử lý</Button>}
              {mine && <Button onClick={() => decide.mutate({ what: 'unclaim' })}>Trả lại hộp chung</Button>}
            </Space>
          )}
          {mayWork && (
            <Tabs
              items={[
                {
                  key: 'complete',
                  label: 'Hoàn thành',
                  children: (
                    <Form form={form} layout="vertical" initialValues={resultDefaults(fields)} onFinish={(v: Record<string, unknown>) => decide.mutate({ what: 'completion', body: { result: resultValue(fields, v) } })}>
                      <ResultFields fields={fields} />
                      <Button type="primary" htmlType="submit" loading={decide.isPending}>Hoàn thành bước</Button>
                    </Form>
                  ),
                },
                {
                  key: 'refuse',
                  label: 'Từ chối',
                  children: (
                    <Form layout="vertical" onFinish={(v: { code: string; reason: string }) => decide.mutate({ what: 'refusal', body: v })}>
                      <Form.Item name="code" label="Mã lý do" initialValue="INCOMPLETE_DOSSIER" rules={[{ required: true, pattern: /^[A-Z][A-Z0-9_]{2,63}$/, message: 'Mã lý do dạng CHU_IN_HOA' }]}>
                        <Input />
                      </Form.Item>
                      <Form.Item name="reason" label="Lý do" rules={[{ required: true, min: 3, message: 'Nêu lý do (ít nhất 3 ký tự)' }]}>
                        <Input.TextArea rows={3} maxLength={500} />
                      </Form.Item>
                      <Button danger htmlType="submit" loading={decide.isPending}>Từ chối</Button>
                    </Form>
                  ),
                },
                ...(t.kind === 'ACT'
                  ? [{
                      key: 'supplement',
                      label: 'Yêu cầu bổ sung',
                      children: (
                        <Form layout="vertical" onFinish={(v: { reason: string }) => decide.mutate({ what: 'supplement-request', body: v })}>
                          <Form.Item name="reason" label="Giấy tờ cần bổ sung" rules={[{ required: true, min: 3, message: 'Nêu giấy tờ cần bổ sung' }]}>
                            <Input.TextArea rows={3} maxLength={500} />
                          </Form.Item>
                          <Button htmlType="submit" loading={decide.isPending}>Yêu cầu bổ sung</Button>
                        </Form>
                      ),
                    }]
                  : []),
              ]}
            />
          )}
        </Card>
      </Col>
    </Row>
  );
}
