import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Spin, Table, Tag, Typography } from 'antd';
import { Link, useParams } from 'react-router-dom';
import type { NoticeDraft, NoticeSummary } from '../../../api/routes/notices';
import type { Place } from '../../../domain/principal';
import { api } from '../api';
import { date, dayjs } from '../format';
import { groupLabel } from '../labels';
import { LoadError } from './LoadError';
import { NewDossier } from './NewDossier';
import { PageTitle } from '../components/PageTitle';

const noticeLabel = { BIRTH: 'Giấy chứng sinh', DEATH: 'Giấy báo tử' } as const;

/** Calendar days left to register within the legal limit, or how late it is. */
function limitText(n: NoticeSummary): { text: string; late: boolean } {
  const days = dayjs(n.limitAt).diff(dayjs(), 'day');
  return n.overdue ? { text: `Quá hạn ${-days} ngày`, late: true } : { text: `Còn ${days} ngày`, late: false };
}

/**
 * Drafts opened by health facilities' notices. A desk sees its commune's and completes them with the
 * family; a supervisor sees those past their legal limit, so none is forgotten.
 */
export function Drafts({ overdueOnly = false }: { overdueOnly?: boolean }) {
  const list = useQuery({
    queryKey: ['notices', overdueOnly],
    queryFn: () => api<{ notices: NoticeSummary[] }>(`/v1/notices?status=DRAFT${overdueOnly ? '&overdue=true' : ''}&limit=200`),
    refetchInterval: 10_000,
  });
  return (
    <Card title={<PageTitle>{overdueOnly ? 'Hồ sơ nháp quá hạn đăng ký' : 'Hồ sơ nháp từ cơ sở y tế'}</PageTitle>}>
      <Typography.Paragraph type="secondary">
        Bệnh viện gửi giấy chứng sinh, giấy báo tử điện tử; hồ sơ nháp chờ gia đình xác nhận tại bộ phận một cửa. Hạn đăng ký: khai sinh 60 ngày kể từ ngày sinh, khai tử 15 ngày kể từ ngày mất.
      </Typography.Paragraph>
      <LoadError error={list.error} what="danh sách hồ sơ nháp" />
      <Table
        rowKey="noticeId"
        loading={list.isLoading}
        dataSource={list.data?.notices}
        scroll={{ x: 800 }}
        pagination={false}
        columns={[
          { title: 'Loại', dataIndex: 'kind', render: (k: NoticeSummary['kind']) => noticeLabel[k] },
          { title: 'Người', dataIndex: 'who' },
          { title: 'Cơ sở y tế', dataIndex: 'facility' },
          { title: 'Ngày sinh / ngày mất', dataIndex: 'eventDate', render: date },
          {
            title: 'Hạn đăng ký',
            dataIndex: 'limitAt',
            render: (_: string, n: NoticeSummary) => {
              const { text, late } = limitText(n);
              return <Typography.Text type={late ? 'danger' : undefined} strong={late}>{text}</Typography.Text>;
            },
          },
          { title: 'Đã nhắc', dataIndex: 'remindersSent', render: (r: number) => (r ? <Tag>{r} lần</Tag> : '—') },
          {
            title: '',
            dataIndex: 'noticeId',
            render: (id: string) => (overdueOnly ? null : <Link to={`/ho-so/nhap/${id}`}><Button size="small" type="primary">Hoàn thiện với gia đình</Button></Link>),
          },
        ]}
      />
    </Card>
  );
}

/** A draft completed with the family: the intake form, prefilled with what the facility certified. */
export function DraftPage({ place }: { place: Place }) {
  const { noticeId = '' } = useParams();
  const draft = useQuery({ queryKey: ['notice', noticeId], queryFn: () => api<NoticeDraft>(`/v1/notices/${noticeId}`) });
  if (draft.isLoading) return <Spin />;
  if (!draft.data) return <LoadError error={draft.error} what="hồ sơ nháp" />;
  const d = draft.data;
  if (d.status === 'CONFIRMED') {
    return <Alert type="info" showIcon title={<>Hồ sơ nháp đã được xác nhận: <Link to={`/ho-so/${encodeURIComponent(d.dossierNumber ?? '')}`}>{d.dossierNumber}</Link></>} />;
  }
  const { text, late } = limitText(d);
  return (
    <>
      <Alert
        type={late ? 'warning' : 'info'}
        showIcon
        style={{ marginBottom: 16 }}
        title={`${noticeLabel[d.kind]} số ${d.noticeNumber} của ${d.facility} — ${groupLabel[d.kind]}: ${text.toLowerCase()}`}
        description="Các thông tin cơ sở y tế đã xác nhận được điền sẵn và phải giữ nguyên; bổ sung phần gia đình cung cấp (họ tên, thủ tục chọn thêm, nơi thường trú…) rồi tiếp nhận."
      />
      <NewDossier place={place} group={d.kind} draft={{ noticeId: d.noticeId, prefill: d.prefill }} />
    </>
  );
}
