import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EscalationNotice } from '../activities/escalation';

/**
 * Stands in for the supervisors' escalation webhook and counts what it is sent: each delivery by its
 * Idempotency-Key (one per recorded escalation) and by what it escalates (dossier, step, level). A
 * count above one under either is an escalation sent twice. Keeps codes only, as the notice carries.
 */
export interface EscalationReceiver {
  url: string;
  /** Distinct escalations received, and deliveries beyond the first of each (by key or by content). */
  counts(): { escalations: number; duplicates: number };
  reset(): void;
  close(): Promise<void>;
}

export async function startEscalationReceiver(): Promise<EscalationReceiver> {
  let byKey = new Map<string, number>();
  let byContent = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      try {
        const notice = JSON.parse(body) as EscalationNotice;
        bump(byKey, String(request.headers['idempotency-key']));
        bump(byContent, `${notice.dossierNumber}:${notice.step ?? ''}:${notice.level}`);
        response.writeHead(204).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const extra = (map: Map<string, number>) => [...map.values()].reduce((sum, n) => sum + n - 1, 0);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/escalations`,
    counts: () => ({ escalations: byContent.size, duplicates: Math.max(extra(byKey), extra(byContent)) }),
    reset: () => {
      byKey = new Map();
      byContent = new Map();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
