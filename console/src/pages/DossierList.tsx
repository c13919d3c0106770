import { CloseCircleFilled } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { DossierSearchResult as DossierListView } from '../../../api/dossier-search';
import type { StepCode } from '../../../domain/procedures';
import type { DossierStatus } from '../../../domain/statuses';
import { api } from '../api';
import { clearable } from '../controls';
import { dateTime } from '../format';
import { dossierStateLabel, dossierStatusLabel, groupLabel, stepLabel, stepStatusLabel } from '../labels';
import { useListFilter } from '../useListFilter';
import { LoadError } from './LoadError';
import { SavedViews } from './SavedViews';
import { PageTitle } from '../components/PageTitle';

const keys = ['q', 'status', 'group', 'overdue', 'waitingForCitizen'] as const;

/**
 * The clerk's desk: every dossier of the commune, the late ones on top, with the child's or deceased's
 * name (masked for supervisors by the API). The name searched for stays in the page, never in its URL:
 * the list is asked for by POST.
 */
export function DossierList() {
  const { filter, page, set, pagination, query } = useListFilter(keys);
  const [name, setName] = useState('');
  const list = useQuery({
    queryKey: ['dossiers', filter, page, name],
    queryFn: () => api<DossierListView>('/v1/dossiers/search', { method: 'POST', body: { ...filter, ...(name ? { name } : {}), page, pageSize: 20 } }),
    refetchInterval: 5_000,
  });
  return (
    <Card
      title={<PageTitle>Hồ sơ của xã</PageTitle>}
      extra={
        <Space wrap>
          <Link to="/ho-so/moi/khai-sinh"><Button type="primary">Tiếp nhận khai sinh</Button></Link>
          <Link to="/ho-so/moi/khai-tu"><Button>Tiếp nhận khai tử</Button></Link>
        </Space>
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search key={`q-${filter.q ?? ''}`} aria-label="Tìm theo số hồ sơ" placeholder="Số hồ sơ" enterButton="Tìm" allowClear={{ clearIcon: <CloseCircleFilled aria-label="Xóa" /> }} defaultValue={filter.q} onSearch={(q) => set({ q })} style={{ width: 280 }} />
        <Input.Search aria-label="Tìm theo họ tên" placeholder="Họ tên trẻ hoặc người mất" enterButton="Tìm" maxLength={120} allowClear={{ clearIcon: <CloseCircleFilled aria-label="Xóa" /> }}
          onSearch={(value) => { setName(value.trim()); set({ page: undefined }); }} style={{ width: 300 }} />
        <Select aria-label="Trạng thái" placeholder="Trạng thái" allowClear={clearable} value={filter.status} onChange={(status) => set({ status })} style={{ width: 200 }}
          options={Object.entries(dossierStatusLabel).map(([value, l]) => ({ value, label: l.text }))} />
        <Select aria-label="Nhóm thủ tục" placeholder="Nhóm thủ tục" allowClear={clearable} value={filter.group} onChange={(group) => set({ group })} style={{ width: 200 }}
          options={Object.entries(groupLabel).map(([value, label]) => ({ value, label }))} />
        <Select aria-label="Hạn xử lý" placeholder="Hạn xử lý" allowClear={clearable} value={filter.overdue} onChange={(overdue) => set({ overdue })} style={{ width: 160 }}
          options={[{ value: 'true', label: 'Quá hạn' }, { value: 'false', label: 'Trong hạn' }]} />
        <Select aria-label="Chờ bổ sung" placeholder="Chờ công dân bổ sung" allowClear={clearable} value={filter.waitingForCitizen} onChange={(waitingForCitizen) => set({ waitingForCitizen })} style={{ width: 200 }}
          options={[{ value: 'true', label: 'Chờ công dân bổ sung' }]} />
        <SavedViews list="dossiers" query={query} />
      </Space>
      <LoadError error={list.error} what="danh sách hồ sơ" />
      <Table
        rowKey="dossierNumber"
        loading={list.isLoading}
        dataSource={list.data?.items}
        scroll={{ x: 900 }}
        pagination={pagination(20, list.data?.total, 'hồ sơ')}
        columns={[
          { title: 'Số hồ sơ', dataIndex: 'dossierNumber', render: (n: string) => <Link to={`/ho-so/${encodeURIComponent(n)}`}>{n}</Link> },
          { title: 'Họ tên', dataIndex: 'name', render: (n: string | null) => n ?? '—' },
          { title: 'Nhóm thủ tục', dataIndex: 'procedureGroup', render: (g: 'BIRTH' | 'DEATH') => groupLabel[g] },
          { title: 'Trạng thái', dataIndex: 'status', render: (s: DossierStatus, d) => <Tag color={dossierStateLabel(s, d.stopping)?.color}>{dossierStateLabel(s, d.stopping)?.text ?? s}</Tag> },
          { title: 'Tiếp nhận', dataIndex: 'receivedAt', render: dateTime },
          {
            title: 'Hạn trả kết quả',
            dataIndex: 'dueAt',
            render: (d: string, row) => <Typography.Text type={row.overdue ? 'danger' : undefined} strong={row.overdue}>{dateTime(d)}{row.overdue ? ' (quá hạn)' : ''}</Typography.Text>,
          },
          {
            title: 'Đang ở bước',
            dataIndex: 'openSteps',
            render: (steps: DossierListView['items'][number]['openSteps']) =>
              steps.map((s) => <Tag key={s.step} color={stepStatusLabel[s.status]?.color}>{stepLabel[s.step as StepCode] ?? s.step}</Tag>),
          },
        ]}
      />
    </Card>
  );
}
