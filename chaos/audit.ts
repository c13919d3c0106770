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

/**
 * The agencies' registers against the dossiers: every number the simulator issued must be recorded on
 * exactly one dossier step (more issued than recorded is an act done twice or lost), and a withdrawn
 * dossier keeps no act.
 */
export async function actsAudit(stack: Pick<ChaosStack, 'simulatorUrl' | 'databaseUrl'>): Promise<{ duplicateActs: number; actsLeftStanding: number }> {
  const issued = (await (await fetch(`${stack.simulatorUrl}/_control/agencies`)).json()) as { issued: { births: number; personalIds: number; cards: number } };
  const recorded = await query<{ step: string; n: number }>(
    stack.databaseUrl,
    `SELECT step, count(*)::int AS n FROM dossier_step WHERE mode = 'AUTOMATED' AND status IN ('COMPLETED', 'COMPENSATED') GROUP BY step`,
  );
  const count = (step: string) => recorded.find((r) => r.step === step)?.n ?? 0;
  const duplicateActs =
    Math.max(0, issued.issued.births - count('BIRTH_REGISTRATION')) +
    Math.max(0, issued.issued.personalIds - count('PERSONAL_ID')) +
    Math.max(0, issued.issued.cards - count('CHILD_HEALTH_INSURANCE'));
  const standing = await query<{ n: number }>(
    stack.databaseUrl,
    // An act still COMPLETED, or one an officer did by hand that is not COMPENSATED (never just "cancelled").
    `SELECT count(*)::int AS n FROM dossier_step s JOIN dossier d ON d.id = s.dossier_id
      WHERE d.status = 'WITHDRAWN' AND (s.status = 'COMPLETED' OR (s.status <> 'COMPENSATED' AND EXISTS (
        SELECT 1 FROM agency_task t WHERE t.dossier_id = s.dossier_id AND t.step = s.step AND t.kind = 'ACT' AND t.status = 'DONE' AND t.outcome ->> 'status' = 'COMPLETED')))`,
  );
  return { duplicateActs, actsLeftStanding: standing[0]?.n ?? 0 };
}
