import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Input, InputNumber, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { StuckDossiers as StuckDossiersView } from '../../../api/stuck-dossiers';
import type { BulkDecisionResult } from '../../../api/routes/supervision';
import type { TaskPage } from '../../../api/routes/tasks';
import { agencyRoles, procedureGroups, stepCodes, type AgencyRole, type StepCode } from '../../../domain/procedures';
import type { DossierStatus } from '../../../domain/statuses';
import { placeName } from '../../../domain/jurisdiction';
import { api, ApiProblem, queryString } from '../api';
import { clearable, selectionNames } from '../controls';
import { dateTime } from '../format';
import { agencyLabel, dossierStateLabel, groupLabel, incidentErrorTypeLabel, owedStepLabel, problemText, stepLabel } from '../labels';
import type { IncidentGroup } from '../../../api/open-incidents';
import type { IncidentErrorType } from '../../../domain/incident-errors';
import { useListFilter } from '../useListFilter';
import { LoadError } from './LoadError';
import { BulkAction, type BulkOutcome } from './BulkAction';
import { SavedViews } from './SavedViews';
import { PageTitle } from '../components/PageTitle';

const keys = ['group', 'step', 'agency', 'provinceCode', 'communeCode', 'overdue', 'incident', 'waitingForCitizen', 'olderThanDays'] as const;
const yesNo = (yes: string, no: string) => [{ value: 'true', label: yes }, { value: 'false', label: no }];

/**
 * Runs one call per item, in turn (a recovering agency is not stampeded), each under its own key
 * derived from the action's, and reports each refusal.
 */
async function each<T>(items: T[], key: string, name: (item: T) => string, call: (item: T, key: string) => Promise<unknown>): Promise<BulkOutcome> {
  const rejected: BulkOutcome['rejected'] = [];
  for (const [index, item] of items.entries()) {
    try {
      await call(item, `${key}.${index}`);
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      rejected.push({ what: name(item), reason: problemText(error) });
    }
  }
  return { accepted: items.length - rejected.length, rejected };
}

type IncidentItem = BulkDecisionResult['incidents'][number];
const incidentItemText = (i: IncidentItem) =>
  `${i.dossierNumber} · ${stepLabel[i.step as StepCode] ?? i.step} · ${agencyLabel[i.agency as AgencyRole] ?? i.agency} · ${incidentErrorTypeLabel[i.errorType]} (từ ${dateTime(i.openedAt)})`;

/** A bulk retry of the open incidents a filter reaches (the list's, or a group's): the preview lists each one, the act touches exactly those. */
export function IncidentRetry({ filter, open, onClose, title }: { filter: Record<string, string | undefined>; open: boolean; onClose: () => void; title: string }) {
  const decide = (body: { dryRun: boolean; reason: string; incidentIds?: string[] }, idempotencyKey?: string) =>
    api<BulkDecisionResult>('/v1/supervision/incidents/decisions', { method: 'POST', body: { filter: Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)), decision: 'RETRY', ...body }, ...(idempotencyKey ? { idempotencyKey } : {}) });
  return (
    <BulkAction
      title={title}
      open={open}
      onClose={onClose}
      preview={async () => (await decide({ dryRun: true, reason: 'xem trước' })).incidents}
      describe={incidentItemText}
      run={async (reason, items, key) => {
        const result = await decide({ dryRun: false, reason, incidentIds: items.map((i) => i.id) }, key);
        return {
          accepted: result.accepted,
          rejected: [],
          note: 'Quyết định đã được ghi nhận; các hồ sơ tiếp tục được xử lý trong giây lát. Sự cố nào đã được quyết định trong lúc này thì giữ nguyên.',
        };
      }}
    />
  );
}

/** Open incidents grouped by error type, agency and step: each group retried in bulk after its preview. */
function IncidentGroups({ filter }: { filter: Record<string, string | undefined> }) {
  const [retrying, setRetrying] = useState<IncidentGroup | null>(null);
  const groups = useQuery({
    queryKey: ['incident-groups', filter],
    queryFn: () => api<{ total: number; groups: IncidentGroup[] }>(`/v1/supervision/incident-groups${queryString(filter)}`),
    refetchInterval: 5_000,
  });
  return (
    <Card size="small" title="Sự cố đang mở theo loại lỗi" style={{ marginBottom: 12 }} data-testid="incident-groups">
      <LoadError error={groups.error} what="nhóm sự cố" />
      <Table
        rowKey={(g) => `${g.errorType}:${g.agency}:${g.step}`}
        size="small"
        pagination={false}
        loading={groups.isLoading}
        dataSource={groups.data?.groups}
        locale={{ emptyText: 'Không có sự cố đang mở' }}
        columns={[
          { title: 'Loại lỗi', dataIndex: 'errorType', render: (t: IncidentErrorType) => incidentErrorTypeLabel[t] },
          { title: 'Cơ quan', dataIndex: 'agency', render: (a: string) => agencyLabel[a as AgencyRole] ?? a },
          { title: 'Bước', dataIndex: 'step', render: (st: string) => stepLabel[st as StepCode] ?? st },
          { title: 'Số sự cố', dataIndex: 'count' },
          { title: 'Mở từ', dataIndex: 'oldestOpenedAt', render: dateTime },
          { title: '', render: (_, g) => <Button size="small" onClick={() => setRetrying(g)}>Thử lại nhóm này</Button> },
        ]}
      />
      <IncidentRetry
        title={retrying ? `Thử lại: ${incidentErrorTypeLabel[retrying.errorType]} · ${agencyLabel[retrying.agency as AgencyRole] ?? retrying.agency} · ${stepLabel[retrying.step as StepCode] ?? retrying.step}` : ''}
        open={retrying !== null}
        onClose={() => setRetrying(null)}
        filter={{ ...filter, ...(retrying ? { errorType: retrying.errorType, agency: retrying.agency, step: retrying.step } : {}) }}
      />
    </Card>
  );
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
  const openTasks = async () => {
    const pages = await Promise.all(selected.map((n) => api<TaskPage>(`/v1/tasks${queryString({ dossierNumber: n, pageSize: 100 })}`)));
    return pages.flatMap((p) => p.items);
  };
  const done = () => {
    setSelected([]);
    void client.invalidateQueries({ queryKey: ['stuck'] });
  };
  const select = (name: string, k: (typeof keys)[number], options: { value: string; label: string }[], width = 180) => (
    <Select id={`filter-${k}`} aria-label={name} placeholder={name} allowClear={clearable} value={filter[k]} onChange={(v?: string) => set({ [k]: v })} options={options} style={{ width }} showSearch optionFilterProp="label" />
  );
  return (
    <Card title={<PageTitle>Hồ sơ tồn đọng</PageTitle>}>
      <Space wrap style={{ marginBottom: 12 }}>
        {select('Nhóm thủ tục', 'group', procedureGroups.map((value) => ({ value, label: groupLabel[value] })))}
        {select('Cơ quan', 'agency', agencyRoles.map((value) => ({ value, label: agencyLabel[value] })), 240)}
        {select('Bước', 'step', stepCodes.map((value) => ({ value, label: stepLabel[value] })), 240)}
        {select('Hạn xử lý', 'overdue', yesNo('Quá hạn', 'Trong hạn'), 130)}
        {select('Sự cố', 'incident', yesNo('Có sự cố', 'Không có sự cố'), 160)}
        {select('Chờ bổ sung', 'waitingForCitizen', yesNo('Chờ công dân bổ sung', 'Không chờ bổ sung'), 200)}
        {/* Keyed by the URL's value: a saved view, Back or a dashboard link shows what is really filtered. */}
        <Input key={`p-${filter.provinceCode ?? ''}`} aria-label="Mã tỉnh" placeholder="Mã tỉnh" defaultValue={filter.provinceCode} maxLength={2} style={{ width: 90 }}
          onBlur={(e) => set({ provinceCode: e.target.value || undefined })} onPressEnter={(e) => set({ provinceCode: e.currentTarget.value || undefined })} />
        <Input key={`c-${filter.communeCode ?? ''}`} aria-label="Mã xã" placeholder="Mã xã" defaultValue={filter.communeCode} maxLength={5} style={{ width: 100 }}
          onBlur={(e) => set({ communeCode: e.target.value || undefined })} onPressEnter={(e) => set({ communeCode: e.currentTarget.value || undefined })} />
        <InputNumber aria-label="Tiếp nhận trước (ngày)" placeholder="Cũ hơn (ngày)" min={0} max={3650} value={filter.olderThanDays ? Number(filter.olderThanDays) : null} onChange={(v) => set({ olderThanDays: v === null ? undefined : String(v) })} style={{ width: 140 }} />
        <SavedViews list="supervision-dossiers" query={query} />
      </Space>
      <Space wrap style={{ marginBottom: 12 }}>
        <Tooltip title="Các sự cố đang mở của những hồ sơ trong danh sách, tại cơ quan và bước đang lọc">
          <Button type="primary" onClick={() => setAction('retry')}>Thử lại sự cố theo bộ lọc</Button>
        </Tooltip>
        <Button danger disabled={selected.length === 0} onClick={() => setAction('cancel')}>Hủy đăng ký ({selected.length})</Button>
        <Button disabled={selected.length === 0} onClick={() => setAction('reassign')}>Giao lại nhiệm vụ ({selected.length})</Button>
      </Space>
      <IncidentGroups filter={filter} />
      <LoadError error={list.error} what="danh sách" />
      <Table
        rowKey="dossierNumber"
        loading={list.isLoading}
        dataSource={list.data?.dossiers}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]), ...selectionNames<StuckDossiersView['dossiers'][number]>((d) => `hồ sơ ${d.dossierNumber}`) }}
        scroll={{ x: 900 }}
        pagination={pagination(50, list.data?.total, 'hồ sơ')}
        columns={[
          { title: 'Số hồ sơ', dataIndex: 'dossierNumber', render: (n: string) => <Link to={`/ho-so/${encodeURIComponent(n)}`}>{n}</Link> },
          { title: 'Nhóm', dataIndex: 'procedureGroup', render: (g: 'BIRTH' | 'DEATH') => groupLabel[g] },
          { title: 'Xã', render: (_, d) => placeName(d) },
          { title: 'Trạng thái', dataIndex: 'status', render: (s: DossierStatus, d) => <Tag color={dossierStateLabel(s, d.stopping).color}>{dossierStateLabel(s, d.stopping).text}</Tag> },
          { title: 'Hạn', dataIndex: 'dueAt', render: (d: string, r) => <Typography.Text type={r.overdue ? 'danger' : undefined} strong={r.overdue}>{dateTime(d)}</Typography.Text> },
          {
            title: 'Bước đang mở',
            dataIndex: 'openSteps',
            render: (steps: StuckDossiersView['dossiers'][number]['openSteps']) =>
              steps.map((s) => (
                <div key={s.step} data-testid={`open-step-${s.step}`}>
                  <Tag color={owedStepLabel[s.status].color}>{stepLabel[s.step as StepCode] ?? s.step} · {agencyLabel[s.agency as AgencyRole] ?? s.agency}</Tag>
                  <Typography.Text type="secondary">{owedStepLabel[s.status].text}{s.since ? ` từ ${dateTime(s.since)}` : ''}</Typography.Text>
                </div>
              )),
          },
        ]}
      />
      <IncidentRetry title="Thử lại mọi sự cố đang mở của danh sách theo bộ lọc" open={action === 'retry'} onClose={() => { setAction(null); done(); }} filter={filter} />
      <BulkAction
        title="Hủy đăng ký các hồ sơ đã chọn: mọi kết quả của nhóm thủ tục sẽ bị hủy"
        open={action === 'cancel'}
        onClose={() => { setAction(null); done(); }}
        preview={async () => [...selected]}
        run={(reason, dossiers, key) =>
          each(dossiers, key, (n) => n, (n, itemKey) => api(`/v1/dossiers/${encodeURIComponent(n)}/registration-cancellation`, { method: 'POST', body: { reason }, idempotencyKey: itemKey }))
        }
      />
      <BulkAction
        title="Giao lại các nhiệm vụ đang mở của hồ sơ đã chọn"
        open={action === 'reassign'}
        onClose={() => { setAction(null); done(); }}
        preview={openTasks}
        extra={<Input aria-label="Giao cho cán bộ" placeholder="Mã cán bộ nhận (để trống: trả về hộp chung)" value={toSubject} onChange={(e) => setToSubject(e.target.value)} />}
        run={(reason, tasks, key) =>
          each(tasks, key, (t) => `${t.dossierNumber} · ${stepLabel[t.step as StepCode] ?? t.step}`, (t, itemKey) =>
            api(`/v1/tasks/${t.id}/reassignment`, { method: 'POST', body: { toSubject: toSubject.trim() || null, reason }, idempotencyKey: itemKey }),
          )
        }
      />
    </Card>
  );
}
