import { Client } from 'pg';
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
