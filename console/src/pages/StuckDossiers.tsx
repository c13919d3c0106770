import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Input, InputNumber, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { StuckDossiers as StuckDossiersView } from '../../../api/stuck-dossiers';
import type { BulkDecisionResult } from '../../../api/routes/supervision';
import type { TaskPage } from '../../../api/routes/tasks';
import { agencyRoles, procedureGroups, stepCodes, type AgencyRole, type StepCode } from '../../../domain/procedures';
import { api, ApiProblem, queryString } from '../api';
import { dateTime } from '../format';
import { agencyLabel, dossierStatusLabel, groupLabel, stepLabel, stepStatusLabel } from '../labels';
import { useListFilter } from '../useListFilter';
import { BulkAction, type BulkOutcome } from './BulkAction';
import { SavedViews } from './SavedViews';

const keys = ['group', 'step', 'agency', 'provinceCode', 'communeCode', 'overdue', 'incident', 'waitingForCitizen', 'olderThanDays'] as const;
const yesNo = (yes: string, no: string) => [{ value: 'true', label: yes }, { value: 'false', label: no }];

/** Runs one call per item, in turn (a recovering agency is not stampeded), and reports each refusal. */
async function each<T>(items: T[], name: (item: T) => string, call: (item: T) => Promise<unknown>): Promise<BulkOutcome> {
  const rejected: BulkOutcome['rejected'] = [];
  for (const item of items) {
    try {
      await call(item);
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      rejected.push({ what: name(item), reason: error.message });
    }
  }
  return { accepted: items.length - rejected.length, rejected };
}

/** The supervisor's working list: every filter of the API, in the URL; bulk actions on the filter or the selection. */
export function StuckDossiers() {
  const { filter, page, set, pagination, query } = useListFilter(keys);
  const client = useQueryClient();
  const [selected, setSelected] = useState<string[]>([]);
  const [action, setAction] = useState<'retry' | 'cancel' | 'reassign' | null>(null);
  const [toSubject, setToSubject] = useState('');
  const list = useQuery({
    queryKey: ['stuck', filter, page],
    queryFn: () => api<StuckDossiersView>(`/v1/supervision/dossiers${queryString({ ...filter, page, pageSize: 50 })}`),
    refetchInterval: 5_000,
  });
  const incidentFilter = { agency: filter.agency, step: filter.step, group: filter.group, provinceCode: filter.provinceCode };
  const decideIncidents = (dryRun: boolean, reason = 'xem trước') =>
    api<BulkDecisionResult>('/v1/supervision/incidents/decisions', { method: 'POST', body: { filter: Object.fromEntries(Object.entries(incidentFilter).filter(([, v]) => v)), decision: 'RETRY', reason, dryRun } });
  const openTasks = async () => {
    const pages = await Promise.all(selected.map((n) => api<TaskPage>(`/v1/tasks${queryString({ dossierNumber: n, pageSize: 100 })}`)));
    return pages.flatMap((p) => p.items);
  };
  const done = () => {
    setSelected([]);
    void client.invalidateQueries({ queryKey: ['stuck'] });
  };
  const select = (name: string, k: (typeof keys)[number], options: { value: string; label: string }[], width = 180) => (
    <Select id={`filter-${k}`} aria-label={name} placeholder={name} allowClear value={filter[k]} onChange={(v?: string) => set({ [k]: v })} options={options} style={{ width }} showSearch optionFilterProp="label" />
  );
  return (
    <Card title={<Typography.Title level={3} style={{ margin: 0 }}>Hồ sơ tồn đọng</Typography.Title>}>
      <Space wrap style={{ marginBottom: 12 }}>
        {select('Nhóm thủ tục', 'group', procedureGroups.map((value) => ({ value, label: groupLabel[value] })))}
        {select('Cơ quan', 'agency', agencyRoles.map((value) => ({ value, label: agencyLabel[value] })), 240)}
        {select('Bước', 'step', stepCodes.map((value) => ({ value, label: stepLabel[value] })), 240)}
        {select('Hạn xử lý', 'overdue', yesNo('Quá hạn', 'Trong hạn'), 130)}
        {select('Sự cố', 'incident', yesNo('Có sự cố', 'Không có sự cố'), 160)}
        {select('Chờ bổ sung', 'waitingForCitizen', yesNo('Chờ công dân bổ sung', 'Không chờ bổ sung'), 200)}
        <Input aria-label="Mã tỉnh" placeholder="Mã tỉnh" defaultValue={filter.provinceCode} maxLength={2} style={{ width: 90 }} onBlur={(e) => set({ provinceCode: e.target.value || undefined })} />
        <Input aria-label="Mã xã" placeholder="Mã xã" defaultValue={filter.communeCode} maxLength={5} style={{ width: 100 }} onBlur={(e) => set({ communeCode: e.target.value || undefined })} />
        <InputNumber aria-label="Tiếp nhận trước (ngày)" placeholder="Cũ hơn (ngày)" min={0} max={3650} value={filter.olderThanDays ? Number(filter.olderThanDays) : null} onChange={(v) => set({ olderThanDays: v === null ? undefined : String(v) })} style={{ width: 140 }} />
        <SavedViews list="supervision-dossiers" query={query} />
      </Space>
      <Space wrap style={{ marginBottom: 12 }}>
        <Button type="primary" onClick={() => setAction('retry')}>Thử lại sự cố theo bộ lọc</Button>
        <Button danger disabled={selected.length === 0} onClick={() => setAction('cancel')}>Hủy đăng ký ({selected.length})</Button>
        <Button disabled={selected.length === 0} onClick={() => setAction('reassign')}>Giao lại nhiệm vụ ({selected.length})</Button>
      </Space>
      <Table
        rowKey="dossierNumber"
        loading={list.isLoading}
        dataSource={list.data?.dossiers}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) }}
        scroll={{ x: 900 }}
        pagination={pagination(50, list.data?.total, 'hồ sơ')}
        columns={[
          { title: 'Số hồ sơ', dataIndex: 'dossierNumber', render: (n: string) => <Link to={`/ho-so/${encodeURIComponent(n)}`}>{n}</Link> },
          { title: 'Nhóm', dataIndex: 'procedureGroup', render: (g: 'BIRTH' | 'DEATH') => groupLabel[g] },
          { title: 'Xã', render: (_, d) => `${d.communeCode} (${d.provinceCode})` },
          { title: 'Trạng thái', dataIndex: 'status', render: (s: string) => <Tag color={dossierStatusLabel[s]?.color}>{dossierStatusLabel[s]?.text}</Tag> },
          { title: 'Hạn', dataIndex: 'dueAt', render: (d: string, r) => <Typography.Text type={r.overdue ? 'danger' : undefined} strong={r.overdue}>{dateTime(d)}</Typography.Text> },
          {
            title: 'Bước đang mở',
            dataIndex: 'openSteps',
            render: (steps: StuckDossiersView['dossiers'][number]['openSteps']) =>
              steps.map((s) => <Tag key={s.step} color={stepStatusLabel[s.status]?.color}>{stepLabel[s.step as StepCode] ?? s.step} · {agencyLabel[s.agency as AgencyRole] ?? s.agency}</Tag>),
          },
        ]}
      />
      <BulkAction
        title="Thử lại mọi sự cố đang mở theo bộ lọc (cơ quan, bước, nhóm, tỉnh)"
        open={action === 'retry'}
        onClose={() => { setAction(null); done(); }}
        preview={async () => (await decideIncidents(true)).matched}
        run={async (reason) => {
          const result = await decideIncidents(false, reason);
          return { accepted: result.accepted, rejected: result.rejected.map((r) => ({ what: `${r.dossierNumber} · ${stepLabel[r.step as StepCode] ?? r.step}`, reason: r.reason })) };
        }}
      />
      <BulkAction
        title="Hủy đăng ký các hồ sơ đã chọn: mọi kết quả của nhóm thủ tục sẽ bị hủy"
        open={action === 'cancel'}
        onClose={() => { setAction(null); done(); }}
        preview={async () => selected.length}
        run={(reason) => each(selected, (n) => n, (n) => api(`/v1/dossiers/${encodeURIComponent(n)}/registration-cancellation`, { method: 'POST', body: { reason } }))}
      />
      <BulkAction
        title="Giao lại các nhiệm vụ đang mở của hồ sơ đã chọn"
        open={action === 'reassign'}
        onClose={() => { setAction(null); done(); }}
        preview={async () => (await openTasks()).length}
        extra={<Input aria-label="Giao cho cán bộ" placeholder="Mã cán bộ nhận (để trống: trả về hộp chung)" value={toSubject} onChange={(e) => setToSubject(e.target.value)} />}
        run={async (reason) => {
          const tasks = await openTasks();
          return each(tasks, (t) => `${t.dossierNumber} · ${stepLabel[t.step as StepCode] ?? t.step}`, (t) =>
            api(`/v1/tasks/${t.id}/reassignment`, { method: 'POST', body: { toSubject: toSubject.trim() || null, reason } }),
          );
        }}
      />
    </Card>
  );
}
