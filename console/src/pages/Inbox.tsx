import { CloseCircleFilled } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, Card, Input, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import type { Me } from '../../../api/routes/session';
import type { TaskPage, TaskView } from '../../../api/routes/tasks';
import { stepCodes, type StepCode } from '../../../domain/procedures';
import type { TaskStatus } from '../../../domain/statuses';
import { api, ApiProblem, queryString } from '../api';
import { clearable } from '../controls';
import { dateTime } from '../format';
import { problemText, stepLabel, taskKindLabel, taskStatusLabel } from '../labels';
import { useListFilter } from '../useListFilter';
import { LoadError } from './LoadError';
import { PageTitle } from '../components/PageTitle';

const keys = ['step', 'status', 'overdue', 'kind', 'mine', 'dossierNumber'] as const;

/** The agency's inbox: its tasks in its jurisdiction, soonest due first, refreshed every few seconds. */
export function Inbox({ me }: { me: Me }) {
  const { filter, page, set, pagination } = useListFilter(keys);
  const client = useQueryClient();
  const { message } = App.useApp();
  const tasks = useQuery({
    queryKey: ['tasks', filter, page],
    queryFn: () => api<TaskPage>(`/v1/tasks${queryString({ ...filter, page, pageSize: 20 })}`),
    // New tasks appear without a reload.
    refetchInterval: 3_000,
  });
  const act = useMutation({
    mutationFn: ({ task, what }: { task: TaskView; what: 'claim' | 'unclaim' }) => api<TaskView>(`/v1/tasks/${task.id}/${what}`, { method: 'POST' }),
    onSuccess: (_, { what }) => {
      message.success(what === 'claim' ? 'Đã nhận xử lý' : 'Đã trả lại hộp chung');
      void client.invalidateQueries({ queryKey: ['tasks'] });
    },
    onError: (error) => {
      message.warning(error instanceof ApiProblem ? problemText(error) : error.message);
      void client.invalidateQueries({ queryKey: ['tasks'] });
    },
  });
  const counts = tasks.data?.counts;
  const mayWork = me.permissions.includes('task.claim');
  return (
    <Card title={<PageTitle>{me.role === 'SUPERVISOR' ? 'Nhiệm vụ các cơ quan' : 'Hộp nhiệm vụ'}</PageTitle>}>
      <Space wrap style={{ marginBottom: 16 }}>
        <Segmented
          aria-label="Xem"
          value={filter.mine ? 'mine' : filter.overdue === 'true' ? 'overdue' : 'all'}
          onChange={(v) => set({ mine: v === 'mine' ? 'true' : undefined, overdue: v === 'overdue' ? 'true' : undefined })}
          options={[
            { value: 'all', label: <span>Tất cả <Badge count={(counts?.open ?? 0) + (counts?.claimed ?? 0)} showZero color="blue" /></span> },
            ...(mayWork ? [{ value: 'mine', label: <span>Tôi đang xử lý <Badge count={counts?.mine ?? 0} showZero color="green" /></span> }] : []),
            { value: 'overdue', label: <span>Quá hạn <Badge count={counts?.overdue ?? 0} showZero /></span> },
          ]}
        />
        {/* The citizen on the phone reads out the number: the dossier's tasks, wherever they sit in the queue. */}
        <Input.Search key={`n-${filter.dossierNumber ?? ''}`} aria-label="Tìm theo số hồ sơ" placeholder="Số hồ sơ" enterButton="Tìm" defaultValue={filter.dossierNumber} maxLength={100}
          allowClear={{ clearIcon: <CloseCircleFilled aria-label="Xóa" /> }} onSearch={(n) => set({ dossierNumber: n.trim() || undefined })} style={{ width: 300 }} />
        <Select aria-label="Bước" placeholder="Bước" allowClear={clearable} value={filter.step} onChange={(step) => set({ step })} style={{ width: 240 }}
          options={stepCodes.map((value) => ({ value, label: stepLabel[value] }))} />
        <Select aria-label="Trạng thái" placeholder="Đang mở" allowClear={clearable} value={filter.status} onChange={(status) => set({ status })} style={{ width: 160 }}
          options={Object.entries(taskStatusLabel).map(([value, l]) => ({ value, label: l.text }))} />
        <Select aria-label="Loại nhiệm vụ" placeholder="Loại" allowClear={clearable} value={filter.kind} onChange={(kind) => set({ kind })} style={{ width: 180 }}
          options={Object.entries(taskKindLabel).map(([value, label]) => ({ value, label }))} />
      </Space>
      <LoadError error={tasks.error} what="hộp nhiệm vụ" />
      <Table
        rowKey="id"
        loading={tasks.isLoading}
        dataSource={tasks.data?.items}
        scroll={{ x: 900 }}
        pagination={pagination(20, tasks.data?.total, 'nhiệm vụ')}
        columns={[
          { title: 'Hồ sơ', dataIndex: 'dossierNumber', render: (n: string, t) => <Link to={`/nhiem-vu/${t.id}`} data-testid={`task-${t.step}`}>{n}</Link> },
          { title: 'Bước', dataIndex: 'step', render: (s: string, t) => <>{stepLabel[s as StepCode] ?? t.title}{t.kind === 'UNDO' && <Tag color="purple" style={{ marginLeft: 4 }}>{taskKindLabel.UNDO}</Tag>}{t.round > 0 && <Tag style={{ marginLeft: 4 }}>lần {t.round + 1}</Tag>}</> },
          { title: 'Trạng thái', dataIndex: 'status', render: (s: TaskStatus, t) => <><Tag color={taskStatusLabel[s]?.color}>{taskStatusLabel[s]?.text}</Tag>{t.claimedBy && <Typography.Text type="secondary">{t.claimedBy}</Typography.Text>}</> },
          { title: 'Hạn', dataIndex: 'dueAt', render: (d: string, t) => <Typography.Text type={t.overdue ? 'danger' : undefined} strong={t.overdue}>{dateTime(d)}{t.overdue ? ' (quá hạn)' : ''}</Typography.Text> },
          {
            title: '',
            render: (_, t) =>
              mayWork && (
                <Space>
                  {t.status === 'OPEN' && <Button size="small" type="primary" onClick={() => act.mutate({ task: t, what: 'claim' })}>Nhận xử lý</Button>}
                  {t.status === 'CLAIMED' && t.claimedBy === me.subject && <Button size="small" onClick={() => act.mutate({ task: t, what: 'unclaim' })}>Trả lại</Button>}
                </Space>
              ),
          },
        ]}
      />
    </Card>
  );
}
