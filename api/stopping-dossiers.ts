import { z } from 'zod';
import { openTaskStatuses, runningDossierStatuses, type GroupOutcomeStatus } from '../domain/statuses';
import { Prisma, sqlLiterals, type Database } from '../runtime/database';

/** How a stopped group ends once every act already done is undone. */
export const stopStatuses = ['WITHDRAWN', 'CANCELLED'] as const satisfies readonly GroupOutcomeStatus[];
export type StopStatus = (typeof stopStatuses)[number];

export const stoppingSchema = z
  .enum(stopStatuses)
  .nullable()
  .describe(
    'Withdrawn or cancelled, still waiting for agencies to undo the acts they already did (an undo task in an inbox, or a failed undo waiting for a supervisor): the status it ends in once they are undone. Null otherwise',
  );

/** The people's acts that stop a group, by the audit's action names: which end a stopping dossier is heading for. */
const stopActions: Record<string, StopStatus> = {
  'dossier.withdraw': 'WITHDRAWN',
  'dossier.cancelRegistration': 'CANCELLED',
  'incident.cancel_group': 'CANCELLED',
};

/**
 * Which of these dossiers are stopping: still running in the read model, with an undo still owed (an
 * open UNDO task, or an open COMPENSATION incident). Only a stopped group undoes anything, so this is
 * the workflow's own fact as the read model holds it; the audit of the accepted request says whether
 * the citizen withdrew it (otherwise it was cancelled, by a supervisor or through Temporal).
 */
export async function stoppingOf(db: Database, dossierIds: readonly string[]): Promise<Map<string, StopStatus>> {
  if (dossierIds.length === 0) return new Map();
  const rows = await db.$queryRaw<{ id: string; action: string | null }[]>`
    SELECT d.id::text AS id,
           (SELECT a.action FROM audit_entry a
             WHERE a.dossier_number = d.dossier_number AND a.action IN (${Prisma.join(Object.keys(stopActions))})
             ORDER BY a.at DESC LIMIT 1) AS action
      FROM dossier d
     WHERE d.id = ANY(${[...dossierIds]}::uuid[]) AND d.status IN (${sqlLiterals(runningDossierStatuses)})
       AND (EXISTS (SELECT 1 FROM agency_task t WHERE t.dossier_id = d.id AND t.kind = 'UNDO' AND t.status IN (${sqlLiterals(openTaskStatuses)}))
         OR EXISTS (SELECT 1 FROM incident i WHERE i.dossier_id = d.id AND i.kind = 'COMPENSATION' AND i.status = 'OPEN'))`;
  return new Map(rows.map((r) => [r.id, (r.action && stopActions[r.action]) || 'CANCELLED']));
}
