import type { Config } from '../runtime/config';
import type { MessageOutbox } from './message-outbox';

/**
 * The status messages of the online channel on their way to the national public service portal
 * (Nghị định 63/2024 Điều 6–7). Database triggers record one per change of a portal dossier, in the
 * transaction of the change (migration 20261205193000): its reception, and every announcement to the
 * citizen whatever its event. The message relay sends them; this module says how.
 */
export interface PortalStatusRow {
  id: bigint;
  dossierId: string;
  messageKey: string;
  portalCode: string;
  dossierNumber: string;
  sequence: number;
  event: string;
  step: string;
  round: number;
  code: string | null;
  dueAt: Date | null;
  appointmentAt: Date;
  recordedAt: Date;
}

/** What the portal receives: codes and dates only, never a citizen's name or number. */
export interface PortalStatusMessage {
  messageKey: string;
  portalCode: string;
  dossierNumber: string;
  sequence: number;
  event: string;
  step?: string;
  round: number;
  code?: string;
  dueAt?: string;
  appointmentAt: string;
  occurredAt: string;
}

export function portalStatusMessage(row: PortalStatusRow): PortalStatusMessage {
  return {
    messageKey: row.messageKey,
    portalCode: row.portalCode,
    dossierNumber: row.dossierNumber,
    sequence: row.sequence,
    event: row.event,
    ...(row.step ? { step: row.step } : {}),
    round: row.round,
    ...(row.code ? { code: row.code } : {}),
    ...(row.dueAt ? { dueAt: row.dueAt.toISOString() } : {}),
    appointmentAt: row.appointmentAt.toISOString(),
    occurredAt: row.recordedAt.toISOString(),
  };
}

/** Answers worth trying again: the portal is down, overloaded or asks to wait. Any other 4xx refuses the message. */
const transient = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * Sends each message with its idempotency key (the portal drops a repeat after a crash between sending
 * and marking). In order per dossier: a message is claimed only when none before it of its dossier is
 * still undelivered. A 2xx delivers it; a refusal (4xx) closes it as REJECTED with the status kept, so
 * it never blocks the dossier's later messages; an outage throws, and the relay tries again later.
 */
export function portalOutbox(config: Pick<Config, 'PORTAL_URL' | 'PORTAL_TIMEOUT_MS'>): MessageOutbox<PortalStatusRow> {
  return {
    table: 'portal_status_outbox',
    idType: 'bigint',
    outcomeColumn: 'outcome',
    columns: `id, dossier_id AS "dossierId", message_key AS "messageKey", sequence, event, step, round, code, due_at AS "dueAt", recorded_at AS "recordedAt",
      (SELECT portal_code FROM portal_dossier p WHERE p.dossier_id = portal_status_outbox.dossier_id) AS "portalCode",
      (SELECT dossier_number FROM dossier d WHERE d.id = portal_status_outbox.dossier_id) AS "dossierNumber",
      (SELECT coalesce(appointment_at, due_at) FROM dossier d WHERE d.id = portal_status_outbox.dossier_id) AS "appointmentAt"`,
    orderBy: 'next_attempt_at, id',
    claimable: `NOT EXISTS (SELECT 1 FROM portal_status_outbox e WHERE e.dossier_id = portal_status_outbox.dossier_id AND e.sequence < portal_status_outbox.sequence AND e.delivered_at IS NULL)`,
    send: async (row) => {
      if (!config.PORTAL_URL) throw new Error('PORTAL_URL not set');
      const response = await fetch(new URL('statuses', config.PORTAL_URL.endsWith('/') ? config.PORTAL_URL : `${config.PORTAL_URL}/`), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': row.messageKey },
        body: JSON.stringify(portalStatusMessage(row)),
        signal: AbortSignal.timeout(config.PORTAL_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.ok) return { outcome: 'DELIVERED' };
      if (transient(response.status)) throw new Error(`portal answered ${response.status}`);
      return { outcome: 'REJECTED', reason: `portal answered ${response.status}` };
    },
  };
}
