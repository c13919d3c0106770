import { useQuery } from '@tanstack/react-query';
import { Alert, Descriptions, Drawer, Empty, Space, Spin, Tag, Typography } from 'antd';
import { useState } from 'react';
import type { DossierMapView, MapStepView } from '../../../api/dossier-map';
import type { AgencyRole } from '../../../domain/procedures';
import { api } from '../api';
import { dateTime } from '../format';
import { agencyLabel, decisionLabel, incidentKindLabel, incidentText, liveActivityLabel, liveUnavailableText, stepLabel, stepStatusLabel, taskKindLabel, taskStatusLabel, undoStateLabel } from '../labels';

/**
 * The dossier's map, as a supervisor or clerk follows it without Temporal's own UI: the group's steps
 * as the definition draws them (columns by dependency depth), each a button naming its status in
 * words; a step opens its attempts. Colours only repeat what the text says; text is near-black on
 * pale fills (contrast above 12:1).
 */
const node = { width: 230, height: 104, columnGap: 56, rowGap: 20, padding: 8 };
const tone: Record<string, { fill: string; border: string }> = {
  COMPLETED: { fill: '#f6ffed', border: '#389e0d' },
  RUNNING: { fill: '#e6f4ff', border: '#0958d9' },
  WAITING_FOR_SUPPLEMENT: { fill: '#fff7e6', border: '#d46b08' },
  INCIDENT: { fill: '#fff1f0', border: '#cf1322' },
  REFUSED: { fill: '#fff1f0', border: '#cf1322' },
  COMPENSATED: { fill: '#f9f0ff', border: '#531dab' },
};
const neutral = { fill: '#fafafa', border: '#8c8c8c' };

/** Columns by the longest chain of prerequisites before each step. */
function layout(steps: MapStepView[]): Map<string, { x: number; y: number }> {
  const depth = new Map<string, number>();
  const depthOf = (code: string): number => {
    const known = depth.get(code);
    if (known !== undefined) return known;
    const step = steps.find((s) => s.step === code);
    const d = step && step.dependsOn.length > 0 ? 1 + Math.max(...step.dependsOn.map(depthOf)) : 0;
    depth.set(code, d);
    return d;
  };
  const rows = new Map<number, number>();
  const at = new Map<string, { x: number; y: number }>();
  for (const step of steps) {
    const column = depthOf(step.step);
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    at.set(step.step, { x: node.padding + column * (node.width + node.columnGap), y: node.padding + row * (node.height + node.rowGap) });
  }
  return at;
}

const statusText = (step: MapStepView) => (step.status ? (stepStatusLabel[step.status]?.text ?? step.status) : 'Không đăng ký');
const openIncident = (step: MapStepView) => step.incidents.find((i) => i.status === 'OPEN');
/** What the node says besides its name and status: an incident, a task in an inbox, retries, undo. */
function marks(step: MapStepView): string[] {
  const out: string[] = [];
  const incident = openIncident(step);
  if (incident) out.push(`⚠ Sự cố: ${incidentKindLabel[incident.kind]}`);
  if (step.openTask) out.push(`👤 ${taskKindLabel[step.openTask.kind]}: ${taskStatusLabel[step.openTask.status]?.text ?? step.openTask.status}`);
  else if (step.mode === 'MANUAL' && step.chosen) out.push('👤 Xử lý thủ công');
  const retrying = step.attempts.live.find((a) => a.attempt > 1);
  if (retrying) out.push(`↻ Lần thử ${retrying.attempt}`);
  const undo = undoStateLabel[step.undo.state];
  if (undo && step.undo.state !== 'AVAILABLE') out.push(`↶ ${undo}`);
  return out;
}

export function DossierMap({ dossierNumber }: { dossierNumber: string }) {
  const path = `/v1/dossiers/${encodeURIComponent(dossierNumber)}/map`;
  const map = useQuery({ queryKey: ['dossier-map', dossierNumber], queryFn: () => api<DossierMapView>(path), refetchInterval: 3_000 });
  const [selected, setSelected] = useState<string | null>(null);
  if (map.isLoading) return <Spin />;
  if (!map.data) return <Empty description="Không tải được sơ đồ hồ sơ" />;
  const { steps, edges, live } = map.data;
  const at = layout(steps);
  const width = Math.max(...[...at.values()].map((p) => p.x)) + node.width + node.padding;
  const height = Math.max(...[...at.values()].map((p) => p.y)) + node.height + node.padding;
  const step = steps.find((s) => s.step === selected);
  return (
    <div data-testid="dossier-map">
      {!live.available && live.reason && <Alert type="info" showIcon title={liveUnavailableText[live.reason]} data-testid="map-live-unavailable" style={{ marginBottom: 8 }} />}
      <div style={{ overflowX: 'auto' }}>
        <div role="group" aria-label={`Sơ đồ các bước của hồ sơ ${dossierNumber}`} style={{ position: 'relative', width, height }}>
          <svg width={width} height={height} aria-hidden="true" style={{ position: 'absolute', inset: 0 }}>
            <defs>
              <marker id="map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto">
                <path d="M0,0 L10,5 L0,10 z" fill="#595959" />
              </marker>
            </defs>
            {edges.map(({ from, to }) => {
              const a = at.get(from)!;
              const b = at.get(to)!;
              const [x1, y1, x2, y2] = [a.x + node.width, a.y + node.height / 2, b.x - 2, b.y + node.height / 2];
              const mid = (x1 + x2) / 2;
              return <path key={`${from}-${to}`} d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`} fill="none" stroke="#595959" strokeWidth={1.5} markerEnd="url(#map-arrow)" />;
            })}
          </svg>
          {steps.map((s) => {
            const p = at.get(s.step)!;
            const colours = (s.status && tone[s.status]) || neutral;
            const name = stepLabel[s.step] ?? s.title;
            const after = s.dependsOn.map((d) => stepLabel[d]).join(', ');
            const noted = marks(s);
            return (
              <button
                key={s.step}
                type="button"
                data-testid={`map-step-${s.step}`}
                onClick={() => setSelected(s.step)}
                style={{
                  position: 'absolute', left: p.x, top: p.y, width: node.width, height: node.height, textAlign: 'left', cursor: 'pointer',
                  background: colours.fill, color: '#1f1f1f', border: `2px ${s.chosen ? 'solid' : 'dashed'} ${colours.border}`, borderRadius: 8, padding: '6px 8px', overflow: 'hidden',
                }}
              >
                <div style={{ fontWeight: 600 }}>{name}</div>
                <div>{statusText(s)}</div>
                {noted.map((m) => <div key={m} style={{ fontSize: 12 }}>{m}</div>)}
                {/* Named by what it shows (WCAG 2.5.3); the arrows and the action are told in words. */}
                <span className="sr-only">{after ? `Sau bước ${after}. ` : ''}Xem các lần thử.</span>
              </button>
            );
          })}
        </div>
      </div>
      <Drawer title={step ? `${stepLabel[step.step] ?? step.title}: các lần thử` : ''} open={step !== undefined} onClose={() => setSelected(null)} size="large" destroyOnHidden>
        {step && <StepAttempts step={step} liveAvailable={live.available} />}
      </Drawer>
    </div>
  );
}

/** One step's attempts: the database's record, then what Temporal is doing now. */
function StepAttempts({ step, liveAvailable }: { step: MapStepView; liveAvailable: boolean }) {
  const agency = step.agency ?? undefined;
  const failure = step.attempts.live.find((a) => a.lastFailure)?.lastFailure?.message ?? step.attempts.lastError;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="map-step-attempts">
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label="Trạng thái">{statusText(step)}</Descriptions.Item>
        <Descriptions.Item label="Cơ quan">{agency ? (agencyLabel[agency as AgencyRole] ?? agency) : '—'}</Descriptions.Item>
        <Descriptions.Item label="Số lần gọi cơ quan đã ghi nhận">{step.attempts.recorded}</Descriptions.Item>
        {step.attempts.startedAt && <Descriptions.Item label="Bắt đầu">{dateTime(step.attempts.startedAt)}</Descriptions.Item>}
        {step.attempts.finishedAt && <Descriptions.Item label="Kết thúc">{dateTime(step.attempts.finishedAt)}</Descriptions.Item>}
        {failure && (
          <Descriptions.Item label="Lỗi lần gần nhất">
            <div data-testid="map-last-failure">{incidentText(failure, agency)}</div>
            <Typography.Text type="secondary">Chi tiết kỹ thuật: <Typography.Text code>{failure}</Typography.Text></Typography.Text>
          </Descriptions.Item>
        )}
        {undoStateLabel[step.undo.state] && (
          <Descriptions.Item label="Hủy kết quả">
            {undoStateLabel[step.undo.state]}
            {step.undo.at ? ` lúc ${dateTime(step.undo.at)}` : ''}
            {step.undo.reference ? ` (số ${step.undo.reference})` : ''}
          </Descriptions.Item>
        )}
      </Descriptions>
      <Typography.Title level={5}>Đang thực hiện</Typography.Title>
      {!liveAvailable && <Typography.Text type="secondary">Chưa có số liệu thử lại trực tiếp từ hệ thống quy trình.</Typography.Text>}
      {liveAvailable && step.attempts.live.length === 0 && <Typography.Text type="secondary">Không có việc nào đang chạy hoặc chờ thử lại.</Typography.Text>}
      {step.attempts.live.map((a) => (
        <Descriptions key={`${a.activityType}-${a.attempt}`} size="small" column={1} bordered data-testid="map-live-activity">
          <Descriptions.Item label="Việc">{liveActivityLabel[a.kind]}</Descriptions.Item>
          <Descriptions.Item label="Lần thử">{a.maximumAttempts > 0 ? `${a.attempt} / ${a.maximumAttempts}` : `${a.attempt}`}</Descriptions.Item>
          <Descriptions.Item label="Tình trạng">{a.nextAttemptAt ? 'Chờ thử lại' : a.state === 'STARTED' ? 'Đang chạy' : 'Chờ thực hiện'}</Descriptions.Item>
          {a.nextAttemptAt && <Descriptions.Item label="Thử lại lúc"><span data-testid="map-next-retry">{dateTime(a.nextAttemptAt)}</span></Descriptions.Item>}
          {a.lastFailure && <Descriptions.Item label="Lỗi lần trước">{incidentText(a.lastFailure.message, agency)}</Descriptions.Item>}
        </Descriptions>
      ))}
      {step.incidents.length > 0 && <Typography.Title level={5}>Sự cố</Typography.Title>}
      {step.incidents.map((i) => (
        <div key={i.id}>
          <Tag color={i.status === 'OPEN' ? 'red' : 'default'}>{i.status === 'OPEN' ? 'Đang mở' : i.decision ? (decisionLabel[i.decision as keyof typeof decisionLabel] ?? i.decision) : 'Đã đóng'}</Tag>
          {incidentKindLabel[i.kind]} — {dateTime(i.openedAt)}: {incidentText(i.lastError, agency)}
        </div>
      ))}
    </Space>
  );
}
