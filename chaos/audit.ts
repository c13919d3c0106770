import { Client } from 'pg';
import { sweepOrphanAttachments } from '../api/attachments';
import { createDatabase } from '../runtime/database';
import type { ChaosStack } from './stack';

/** What the fault-injection suite and the scale bench check after a run: nothing lost, no act twice. */

/** A dossier in one of these has ended; any other after the run is lost (wedged). */
export const endedStatuses = ['COMPLETED', 'PARTIALLY_COMPLETED', 'REFUSED', 'WITHDRAWN', 'CANCELLED'];

/** A one-off query on its own connection (the server may just have been killed). */
export async function query<T>(databaseUrl: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Each register of the simulator and the step whose acts it holds. */
const registers = { births: 'BIRTH_REGISTRATION', personalIds: 'PERSONAL_ID', residences: 'PERMANENT_RESIDENCE', cards: 'CHILD_HEALTH_INSURANCE' } as const;

/**
 * The agencies' registers against the dossiers: every number the simulator issued (birth registrations,
 * ID numbers, the police's residence records, cards) must be recorded on exactly one dossier step (more
 * issued than recorded is an act done twice or lost), and a withdrawn dossier keeps no act.
 */
export async function actsAudit(stack: Pick<ChaosStack, 'simulatorUrl' | 'databaseUrl'>): Promise<{ duplicateActs: number; actsLeftStanding: number }> {
  const { issued } = (await (await fetch(`${stack.simulatorUrl}/_control/agencies`)).json()) as { issued: Record<keyof typeof registers, number> };
  const recorded = await query<{ step: string; n: number }>(
    stack.databaseUrl,
    `SELECT step, count(*)::int AS n FROM dossier_step WHERE mode = 'AUTOMATED' AND status IN ('COMPLETED', 'COMPENSATED') GROUP BY step`,
  );
  const count = (step: string) => recorded.find((r) => r.step === step)?.n ?? 0;
  const duplicateActs = Object.entries(registers).reduce((sum, [register, step]) => sum + Math.max(0, issued[register as keyof typeof registers] - count(step)), 0);
  const standing = await query<{ n: number }>(
    stack.databaseUrl,
    // An act still COMPLETED, or one an officer did by hand that is not COMPENSATED (never just "cancelled").
    `SELECT count(*)::int AS n FROM dossier_step s JOIN dossier d ON d.id = s.dossier_id
      WHERE d.status = 'WITHDRAWN' AND (s.status = 'COMPLETED' OR (s.status <> 'COMPENSATED' AND EXISTS (
        SELECT 1 FROM agency_task t WHERE t.dossier_id = s.dossier_id AND t.step = s.step AND t.kind = 'ACT' AND t.status = 'DONE' AND t.outcome ->> 'status' = 'COMPLETED')))`,
  );
  return { duplicateActs, actsLeftStanding: standing[0]?.n ?? 0 };
}

/**
 * Officers' decisions against the read model: a task is decided once (exactly one decision the workflow
 * took per DONE task, none on a task still open), a step's outcome is recorded once (one STEP_COMPLETED
 * or STEP_REFUSED event per step), and every decision recorded reached its workflow. No scenario asks
 * for a supplement or refuses an undo, which would open a task or a round again.
 */
export async function decisionsAudit(stack: Pick<ChaosStack, 'databaseUrl'>): Promise<{ decidedTwice: number; decisionsUndelivered: number }> {
  const [row] = await query<{ tasks: number; outcomes: number; undelivered: number }>(
    stack.databaseUrl,
    `SELECT
       (SELECT count(*)::int FROM agency_task t
         WHERE (SELECT count(*) FROM task_decision d WHERE d.task_id = t.id AND d.outcome_of_delivery = 'DELIVERED') <> CASE WHEN t.status = 'DONE' THEN 1 ELSE 0 END) AS tasks,
       (SELECT count(*)::int FROM (SELECT 1 FROM dossier_event WHERE type IN ('STEP_COMPLETED', 'STEP_REFUSED') GROUP BY dossier_id, step HAVING count(*) > 1) twice) AS outcomes,
       (SELECT count(*)::int FROM task_decision WHERE delivered_at IS NULL) AS undelivered`,
  );
  return { decidedTwice: (row?.tasks ?? 0) + (row?.outcomes ?? 0), decisionsUndelivered: row?.undelivered ?? 0 };
}

/** What an audit found: figures to print, and a line for each promise broken (codes and keys, no personal data). */
export interface Findings {
  figures: Record<string, number>;
  amiss: string[];
}

/** Counts the items of a finding, and notes them as one line (the first few) when there are any. */
const noting = (amiss: string[]) => (what: string, items: string[]): number => {
  if (items.length > 0) amiss.push(`${what}: ${items.slice(0, 5).join(', ')}${items.length > 5 ? ` and ${items.length - 5} more` : ''}`);
  return items.length;
};

interface PortalMessageRow {
  code: string;
  key: string;
  sequence: number;
  event: string;
  step: string;
  round: number;
  outcome: string | null;
}

/**
 * The portal's status messages of these portal dossiers against their steps and the outbox: each step's
 * result has its message and no change has two (one per event, step and round), numbered 1…n from the
 * reception to the group's end, every one delivered, and the portal holding each key once, received in
 * order. Keys the portal heard again (a relay retrying after a lost answer) it dropped: counted, not
 * faults. Waits up to `timeoutMs` for the relay to send what the last dossiers to end recorded.
 */
export async function portalMessagesAudit(stack: Pick<ChaosStack, 'simulatorUrl' | 'databaseUrl'>, codes: string[], timeoutMs = 120_000): Promise<Findings> {
  const mine = `FROM portal_status_outbox o JOIN portal_dossier p ON p.dossier_id = o.dossier_id WHERE p.portal_code = ANY($1)`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [pending] = await query<{ n: number }>(stack.databaseUrl, `SELECT count(*)::int AS n ${mine} AND o.delivered_at IS NULL`, [codes]);
    if (pending?.n === 0) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const rows = await query<PortalMessageRow>(
    stack.databaseUrl,
    `SELECT p.portal_code AS code, o.message_key AS key, o.sequence, o.event, o.step, o.round, o.outcome ${mine} ORDER BY p.portal_code, o.sequence`,
    [codes],
  );
  const results = await query<{ code: string; step: string; status: string }>(
    stack.databaseUrl,
    `SELECT p.portal_code AS code, s.step, s.status FROM dossier_step s JOIN portal_dossier p ON p.dossier_id = s.dossier_id WHERE p.portal_code = ANY($1) AND s.status IN ('COMPLETED', 'REFUSED')`,
    [codes],
  );
  const portal = (await (await fetch(`${stack.simulatorUrl}/_control/portal`)).json()) as { outOfOrder: string[]; statuses: { messageKey: string; portalCode: string; calls: number }[] };
  const ours = new Set(codes);
  const heard = new Map(portal.statuses.filter((s) => ours.has(s.portalCode)).map((s) => [s.messageKey, s]));
  const recorded = new Set(rows.map((r) => r.key));
  const amiss: string[] = [];
  const note = noting(amiss);
  const byCode = new Map<string, PortalMessageRow[]>(codes.map((c) => [c, []]));
  for (const row of rows) byCode.get(row.code)?.push(row);
  const list = [...byCode.entries()];
  const figures = {
    'status messages': rows.length,
    'delivered to the portal': rows.filter((r) => r.outcome === 'DELIVERED' && heard.has(r.key)).length,
    'status messages undelivered': note('status messages not delivered', rows.filter((r) => r.outcome !== 'DELIVERED' || !heard.has(r.key)).map((r) => r.key)),
    'messages the outbox never recorded': note('messages at the portal the outbox does not hold', [...heard.keys()].filter((k) => !recorded.has(k))),
    'status changes sent twice': note(
      'status changes recorded as two messages',
      list.flatMap(([, messages]) => messages.filter((m, i) => messages.findIndex((o) => o.event === m.event && o.step === m.step && o.round === m.round) !== i).map((m) => m.key)),
    ),
    'step results without a message': note(
      'step results the portal was not told',
      results.filter((r) => !byCode.get(r.code)?.some((m) => m.event === (r.status === 'COMPLETED' ? 'STEP_COMPLETED' : 'STEP_REFUSED') && m.step === r.step)).map((r) => `${r.code} ${r.step}`),
    ),
    'status messages out of order': note('messages numbered with a gap, or received out of order', [
      ...list.filter(([, messages]) => messages.some((m, i) => m.sequence !== i + 1)).map(([code]) => code),
      ...portal.outOfOrder.filter((key) => ours.has(key.slice(0, key.lastIndexOf(':')))),
    ]),
    'dossiers whose reception or end the portal missed': note(
      'dossiers not announced from reception to end',
      list.filter(([, messages]) => messages[0]?.event !== 'RECEIVED' || messages.at(-1)?.event !== 'GROUP_ENDED').map(([code]) => code),
    ),
    'keys heard again and dropped by the portal': [...heard.values()].reduce((sum, s) => sum + s.calls - 1, 0),
  };
  return { figures, amiss };
}

/**
 * The attachments against the store: every attachment names an object the store holds, each of these
 * dossiers carries at least one, and after the API's orphan sweep (run here once, with no grace: no
 * upload is in flight any more) the store holds no object that no attachment names.
 */
export async function attachmentsAudit(stack: Pick<ChaosStack, 'databaseUrl' | 'objectStore'>, codes: string[]): Promise<Findings> {
  const store = stack.objectStore?.store;
  if (!store) throw new Error('the attachments audit needs the stack started with its S3 store');
  const rows = await query<{ code: string; key: string }>(
    stack.databaseUrl,
    'SELECT d.dossier_number AS code, a.storage_key AS key FROM dossier_attachment a JOIN dossier d ON d.id = a.dossier_id',
  );
  const missing: string[] = [];
  for (const row of rows) if (!(await store.exists(row.key))) missing.push(`${row.code} ${row.key.slice(0, 15)}…`);
  const db = createDatabase(stack.databaseUrl, 2);
  const swept = await sweepOrphanAttachments(db, store, 0).finally(() => db.$disconnect());
  const named = new Set(rows.map((r) => r.key));
  const orphans: string[] = [];
  for await (const object of store.list()) if (!named.has(object.key)) orphans.push(object.key);
  const amiss: string[] = [];
  const note = noting(amiss);
  const carrying = new Set(rows.map((r) => r.code));
  return {
    figures: {
      attachments: rows.length,
      'attachments without their object': note('attachments whose object the store does not hold', missing),
      'dossiers without their attachment': note('dossiers whose upload never succeeded', codes.filter((c) => !carrying.has(c))),
      'orphan objects swept': swept,
      'orphan objects after the sweep': note('objects no attachment names, left after the sweep', orphans.map((k) => `${k.slice(0, 15)}…`)),
    },
    amiss,
  };
}
