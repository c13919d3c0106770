import { z } from 'zod';
import { documentTypes, type DocumentType } from '../domain/catalogues';
import { citizenResult } from '../domain/agency-contract';
import { resultDocumentKinds } from '../domain/result-documents';
import type { Config } from '../runtime/config';
import { Prisma } from '../runtime/database';
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
  /** SUPPLEMENT_REQUESTED: the step's reason as recorded with the request (migration 20261206030000). */
  supplementReason: string | null;
  /** GROUP_ENDED: each completed step's act, read when the message is sent (the acts stand by then). */
  stepResults: { step: string; result: Record<string, unknown> }[] | null;
}

/** The message's component in the OpenAPI document. */
export const portalStatusMessageId = 'PortalStatusMessage';

/**
 * What the portal receives, one POST per status change: codes, labels and dates, never a citizen's
 * name nor an officer's free text; at the end, the acts issued for the citizen (their results, for the
 * account VNeID identified). Published in the OpenAPI document (component
 * `PortalStatusMessage`, and the `statusChange` callback of `POST /v1/portal/dossiers`).
 */
export const portalStatusMessageSchema = z
  .object({
    messageKey: z.string().describe('`<portalCode>:<sequence>`, also sent as the Idempotency-Key header: the portal drops a key it has seen'),
    portalCode: z.string().describe("The portal's dossier code, as submitted in `dossierNumber`"),
    dossierNumber: z.string(),
    sequence: z.number().int().min(1).describe('1, 2, 3… per dossier, without gaps; sent in this order, each once the one before is closed'),
    event: z
      .string()
      .describe(
        '`RECEIVED`, or the announcement to the citizen it mirrors: `STEP_COMPLETED`, `STEP_REFUSED`, `SUPPLEMENT_REQUESTED`, `GROUP_ENDED`, `APPOINTMENT_RESCHEDULED`, `VERIFICATION_EXTENDED` (a receiver keeps unknown events it does not show)',
      ),
    step: z.string().optional().describe('The step concerned (BIRTH_REGISTRATION, PERSONAL_ID…)'),
    round: z.number().int().min(0).describe("The step's round: bumped each time the citizen supplies documents"),
    code: z.string().optional().describe('STEP_REFUSED: the refusal reason code; GROUP_ENDED: the outcome'),
    dueAt: z.iso.datetime().optional().describe('SUPPLEMENT_REQUESTED: the last moment to supply; RECEIVED: the deadline; APPOINTMENT_RESCHEDULED, VERIFICATION_EXTENDED: the new date'),
    documents: z
      .array(z.object({ code: z.string().describe('domain/catalogues.ts documentTypes'), label: z.string().describe('Its Vietnamese name, as the citizen reads it') }))
      .optional()
      .describe('SUPPLEMENT_REQUESTED only: the documents asked for (empty when the agency named none)'),
    results: z
      .object({
        acts: z.array(z.object({ step: z.string(), result: z.record(z.string(), z.unknown()).describe("The act's numbers and dates (domain/agency-contract.ts citizenResultFields): registration number and book, the child's ID number, the residence record, the card number and validity, a benefit decision's number and date — no amounts") })),
        documents: z.array(z.enum(resultDocumentKinds)).describe('The PDFs the citizen downloads with the dossier number and receipt code: POST /v1/public/dossier-results/{document}'),
      })
      .optional()
      .describe("GROUP_ENDED of a group whose registration stands: the citizen's electronic results (Nghị định 63 Điều 7), delivered to the account VNeID identified"),
    appointmentAt: z.iso.datetime().describe('The date promised to the citizen now'),
    occurredAt: z.iso.datetime().describe('When the change was recorded'),
  })
  .meta({ id: portalStatusMessageId, description: 'A status change of a portal dossier, POSTed to `{PORTAL_URL}/statuses`' });
export type PortalStatusMessage = z.infer<typeof portalStatusMessageSchema>;

const listedPrefix = 'Cần bổ sung: ';

/** The group ended with its registration standing (completed, or partly): the results exist. */
const resultsStand = (row: PortalStatusRow): boolean =>
  (row.code === 'COMPLETED' || row.code === 'PARTIALLY_COMPLETED') && Boolean(row.stepResults?.some((a) => a.step === 'BIRTH_REGISTRATION' || a.step === 'DEATH_REGISTRATION'));
const documentByLabel = new Map(Object.entries(documentTypes).map(([code, label]) => [label as string, code as DocumentType]));

/**
 * The documents a supplement request names, read back from the step's reason as the task route wrote
 * it (supplementRequestText: "Cần bổ sung: <label>; <label>. <note>"); the note is left out. Empty for
 * a request worded otherwise (an agency's system asking in its own words).
 */
export function requestedDocuments(reason: string | null): DocumentType[] {
  if (!reason?.startsWith(listedPrefix)) return [];
  // No label holds a full stop: the list ends at the first one.
  const listed = reason.slice(listedPrefix.length).split('.')[0] ?? '';
  return listed.split('; ').flatMap((label) => documentByLabel.get(label.trim()) ?? []);
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
    ...(row.event === 'SUPPLEMENT_REQUESTED' ? { documents: requestedDocuments(row.supplementReason).map((code) => ({ code, label: documentTypes[code] })) } : {}),
    ...(row.event === 'GROUP_ENDED' && resultsStand(row) ? { results: { acts: row.stepResults!.map((a) => ({ step: a.step, result: citizenResult(a.step, a.result) })), documents: [...resultDocumentKinds] } } : {}),
    appointmentAt: row.appointmentAt.toISOString(),
    occurredAt: row.recordedAt.toISOString(),
  };
}

/**
 * Messages the portal has not taken and that a supervisor should see (as /metrics counts them): refused
 * by the portal (REJECTED), or failing, still undelivered after `maxAttempts` sends (PORTAL_MAX_ATTEMPTS).
 */
export const troubledPortalMessagesSql = (maxAttempts: number): Prisma.Sql =>
  Prisma.sql`(outcome = 'REJECTED' OR (delivered_at IS NULL AND attempts >= ${maxAttempts}))`;

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
    columns: `id, dossier_id AS "dossierId", message_key AS "messageKey", sequence, event, step, round, code, due_at AS "dueAt", recorded_at AS "recordedAt", supplement_reason AS "supplementReason",
      (SELECT portal_code FROM portal_dossier p WHERE p.dossier_id = portal_status_outbox.dossier_id) AS "portalCode",
      (SELECT dossier_number FROM dossier d WHERE d.id = portal_status_outbox.dossier_id) AS "dossierNumber",
      (SELECT coalesce(appointment_at, due_at) FROM dossier d WHERE d.id = portal_status_outbox.dossier_id) AS "appointmentAt",
      CASE WHEN event = 'GROUP_ENDED' THEN (
        SELECT jsonb_agg(jsonb_build_object('step', s.step, 'result', s.result) ORDER BY s.step) FROM dossier_step s
        WHERE s.dossier_id = portal_status_outbox.dossier_id AND s.status = 'COMPLETED' AND s.result IS NOT NULL
      ) END AS "stepResults"`,
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
