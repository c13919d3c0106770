import { Table, Tag } from 'antd';
import type { DossierStatusView } from '../../../api/dossier-status';
import type { StepCode } from '../../../domain/procedures';
import { dateTime } from '../format';
import { announcementEventLabel, announcementStatusLabel, channelLabel, stepLabel } from '../labels';

type Announcement = NonNullable<DossierStatusView['announcements']>[number];

/** What the citizen was told, oldest first, the address masked as the API gives it. */
export function CitizenAnnouncements({ announcements }: { announcements: Announcement[] }) {
  return (
    <Table<Announcement>
      size="small"
      pagination={false}
      rowKey={(a) => `${a.event}:${a.step ?? ''}:${a.recordedAt}`}
      dataSource={announcements}
      locale={{ emptyText: 'Chưa có thông báo nào' }}
      scroll={{ x: true }}
      columns={[
        { title: 'Nội dung', key: 'event', render: (_, a) => announcementEventLabel[a.event] ?? a.event },
        { title: 'Thủ tục', key: 'step', render: (_, a) => (a.step ? (stepLabel[a.step as StepCode] ?? a.step) : '—') },
        { title: 'Kênh', key: 'channel', render: (_, a) => (a.channel ? `${channelLabel[a.channel] ?? a.channel} ${a.recipient ?? ''}`.trim() : '—') },
        {
          title: 'Trạng thái',
          key: 'status',
          render: (_, a) => {
            const label = announcementStatusLabel[a.status];
            return <Tag color={label?.color}>{label?.text ?? a.status}</Tag>;
          },
        },
        { title: 'Thời gian', key: 'at', render: (_, a) => dateTime(a.deliveredAt ?? a.recordedAt) },
      ]}
    />
  );
}
