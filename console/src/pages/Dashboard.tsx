import { useQuery } from '@tanstack/react-query';
import { Card, Col, Progress, Row, Spin, Statistic, Table, Tag, Typography } from 'antd';
import { Column } from '@ant-design/plots';
import { Link } from 'react-router-dom';
import type { SupervisionSummary } from '../../../api/supervision-summary';
import type { AgencyRole, StepCode } from '../../../domain/procedures';
import type { OpenStepStatus } from '../../../domain/statuses';
import { api } from '../api';
import { LoadError } from './LoadError';
import { date } from '../format';
import { placeName } from '../../../domain/jurisdiction';
import { agencyLabel, stepLabel, stepStatusLabel } from '../labels';
import { PageTitle } from '../components/PageTitle';
import { PortalUndelivered } from '../components/PortalUndelivered';

/** The supervisor's overview of the scope: each figure opens the matching filtered list. */
export function Dashboard() {
  const summary = useQuery({ queryKey: ['summary'], queryFn: () => api<SupervisionSummary>('/v1/supervision/summary'), refetchInterval: 10_000 });
  if (summary.isError) return <LoadError error={summary.error} what="tổng quan" />;
  if (summary.isLoading || !summary.data) return <Spin />;
  const s = summary.data;
  const tiles: { title: string; value: number; to: string; danger?: boolean }[] = [
    { title: 'Đang xử lý', value: s.open, to: '/giam-sat/ho-so' },
    { title: 'Quá hạn', value: s.overdue, to: '/giam-sat/ho-so?overdue=true', danger: true },
    { title: 'Có sự cố', value: s.withIncident, to: '/giam-sat/ho-so?incident=true', danger: true },
    { title: 'Chờ công dân bổ sung', value: s.waitingForCitizen, to: '/giam-sat/ho-so?waitingForCitizen=true' },
    { title: 'Nháp quá hạn đăng ký', value: s.overdueDrafts, to: '/giam-sat/ho-so-nhap', danger: true },
  ];
  const chart = s.daily.flatMap((d) => [
    { day: date(d.day), kind: 'Tiếp nhận', count: d.received },
    { day: date(d.day), kind: 'Hoàn thành', count: d.completed },
  ]);
  return (
    <Row gutter={[16, 16]}>
      <Col span={24}>
        <PageTitle>Tổng quan giám sát</PageTitle>
      </Col>
      {/* Kept mounted once shown: its answer stays in sight after the count falls to 0. */}
      <PortalUndelivered count={s.portalUndelivered} />
      {tiles.map((t) => (
        <Col xs={12} md={8} xl={{ flex: "20%" }} key={t.title}>
          <Link to={t.to}>
            <Card hoverable>
              <Statistic title={t.title} value={t.value} styles={{ content: t.danger && t.value > 0 ? { color: '#cf1322' } : undefined }} />
            </Card>
          </Link>
        </Col>
      ))}
      <Col xs={24} lg={16}>
        <Card title="Hồ sơ tiếp nhận và hoàn thành, 14 ngày qua">
          <Column data={chart} xField="day" yField="count" colorField="kind" group height={260} axis={{ x: { title: false }, y: { title: false } }} />
        </Card>
      </Col>
      <Col xs={24} lg={8}>
        <Card title="Tỷ lệ hoàn thành đúng hạn (14 ngày)">
          {s.onTimeShare === null ? (
            <Typography.Text type="secondary">Chưa có hồ sơ hoàn thành.</Typography.Text>
          ) : (
            <Progress type="dashboard" aria-label="Tỷ lệ hồ sơ hoàn thành đúng hạn" percent={Math.round(s.onTimeShare * 100)} format={(percent) => `${percent} %`} status={s.onTimeShare < 0.9 ? 'exception' : 'success'} />
          )}
        </Card>
      </Col>
      <Col xs={24} lg={14}>
        <Card title="Bước đang mở theo cơ quan">
          <Table
            size="small"
            rowKey={(r) => `${r.agency}-${r.step}-${r.status}`}
            dataSource={s.byAgencyAndStep}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            scroll={{ x: 500 }}
            columns={[
              { title: 'Cơ quan', dataIndex: 'agency', render: (a: string) => agencyLabel[a as AgencyRole] ?? a },
              { title: 'Bước', dataIndex: 'step', render: (st: string, r) => <Link to={`/giam-sat/ho-so?agency=${r.agency}&step=${st}`}>{stepLabel[st as StepCode] ?? st}</Link> },
              { title: 'Trạng thái', dataIndex: 'status', render: (st: OpenStepStatus) => <Tag color={stepStatusLabel[st]?.color}>{stepStatusLabel[st]?.text}</Tag> },
              { title: 'Số hồ sơ', dataIndex: 'count', align: 'right' },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} lg={10}>
        <Card title="Theo xã">
          <Table
            size="small"
            rowKey={(r) => `${r.provinceCode}/${r.communeCode}`}
            dataSource={s.byCommune}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            columns={[
              { title: 'Xã', render: (_, r) => <Link to={`/giam-sat/ho-so?provinceCode=${r.provinceCode}&communeCode=${r.communeCode}`}>{placeName(r)}</Link> },
              { title: 'Đang xử lý', dataIndex: 'open', align: 'right' },
              { title: 'Quá hạn', dataIndex: 'overdue', align: 'right', render: (n: number) => <Typography.Text type={n > 0 ? 'danger' : undefined}>{n}</Typography.Text> },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24}>
        <Card title="Xin lỗi, hẹn lại và gia hạn xác minh theo cơ quan (14 ngày)">
          <Table
            size="small"
            rowKey="agency"
            data-testid="apologies-by-agency"
            dataSource={s.appointmentChangesByAgency}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            locale={{ emptyText: 'Không có cơ quan nào phải xin lỗi hay gia hạn.' }}
            columns={[
              { title: 'Cơ quan', dataIndex: 'agency', render: (a: string) => agencyLabel[a as AgencyRole] ?? a },
              { title: 'Phiếu xin lỗi', dataIndex: 'apologies', align: 'right' },
              { title: 'Trong đó hệ thống tự gửi', dataIndex: 'automaticApologies', align: 'right' },
              { title: 'Gia hạn xác minh', dataIndex: 'verifications', align: 'right' },
            ]}
          />
        </Card>
      </Col>
    </Row>
  );
}
