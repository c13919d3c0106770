import { Alert, Input, Modal, Space, Spin, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { ApiProblem } from '../api';
import { problemText } from '../labels';

export interface BulkOutcome {
  accepted: number;
  rejected: { what: string; reason: string }[];
  /** What happens next, when the act completes after the answer. */
  note?: string;
}

/**
 * A bulk action as a supervisor should meet it: first exactly which items it will touch (their number
 * shown), then a reason and that number typed back, and only then the act — on those items, not on
 * whatever matches by then. One Idempotency-Key per opening: pressing again after a lost answer repeats
 * the same requests, never a second act. Afterwards, what was done and what was refused.
 */
export function BulkAction<T>({ title, open, onClose, preview, run, extra, describe }: {
  title: string;
  open: boolean;
  onClose: () => void;
  preview: () => Promise<T[]>;
  run: (reason: string, items: T[], key: string) => Promise<BulkOutcome>;
  extra?: React.ReactNode;
  /** Each item as the preview lists it (dossier, step, what happened), so the supervisor sees what is touched. */
  describe?: (item: T) => React.ReactNode;
}) {
  const [items, setItems] = useState<T[] | null>(null);
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState('');
  const [running, setRunning] = useState(false);
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = useRef('');
  useEffect(() => {
    if (!open) return;
    key.current = crypto.randomUUID();
    setItems(null);
    setTyped('');
    setReason('');
    setOutcome(null);
    setError(null);
    preview().then(setItems, (e: Error) => setError(e instanceof ApiProblem ? problemText(e) : e.message));
  }, [open]);
  const count = items?.length ?? null;
  const ready = count !== null && count > 0 && typed.trim() === String(count) && reason.trim().length >= 3 && !outcome;
  return (
    <Modal
      title={title}
      open={open}
      onCancel={onClose}
      okText={outcome ? 'Xong' : 'Thực hiện'}
      cancelText="Đóng"
      okButtonProps={{ danger: !outcome, disabled: !outcome && !ready, loading: running }}
      onOk={async () => {
        if (outcome) return onClose();
        setRunning(true);
        setError(null);
        try {
          setOutcome(await run(reason.trim(), items ?? [], key.current));
        } catch (e) {
          setError(e instanceof ApiProblem ? problemText(e) : (e as Error).message);
        } finally {
          setRunning(false);
        }
      }}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      {count === null && !error && <Spin />}
      {count !== null && !outcome && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph data-testid="bulk-preview">
            Thao tác này sẽ tác động tới <Typography.Text strong>{count}</Typography.Text> mục.
          </Typography.Paragraph>
          {describe && count > 0 && (
            <ul data-testid="bulk-items" style={{ maxHeight: 240, overflowY: 'auto' }}>
              {items!.map((item, index) => <li key={index}>{describe(item)}</li>)}
            </ul>
          )}
          {count > 0 && (
            <>
              {extra}
              <Input.TextArea aria-label="Lý do" placeholder="Lý do (bắt buộc)" value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={500} />
              <Input aria-label="Xác nhận số mục" placeholder={`Gõ ${count} để xác nhận`} value={typed} onChange={(e) => setTyped(e.target.value)} />
            </>
          )}
        </Space>
      )}
      {outcome && (
        <Alert
          type={outcome.rejected.length ? 'warning' : 'success'}
          showIcon
          data-testid="bulk-outcome"
          title={`Đã thực hiện ${outcome.accepted} mục${outcome.rejected.length ? `, ${outcome.rejected.length} mục không thực hiện được` : ''}.`}
          description={outcome.rejected.length > 0 ? <ul>{outcome.rejected.map((r) => <li key={r.what}>{r.what}: {r.reason}</li>)}</ul> : outcome.note}
        />
      )}
    </Modal>
  );
}
