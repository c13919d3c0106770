import { z } from 'zod';
import { classifyIncidentError, incidentErrorTypes, type IncidentErrorType } from '../domain/incident-errors';
import type { Principal } from '../domain/principal';
import { Prisma, type Database } from '../runtime/database';
import { filterSchema, incidentPlaceSql, runningWhereSql } from './stuck-dossiers';

/**
 * The open incidents a supervisor's filter reaches: those of the dossiers the stuck list shows for the
 * same filter, at the filter's agency and step. One definition for the list, the bulk decision's
 * preview and its act, and the incidents grouped by error type: what the list shows is what a bulk
 * retry touches.
 */
export const incidentFilterSchema = filterSchema.extend({
  errorType: z.enum(incidentErrorTypes).optional().describe('Only incidents of this error type (the groups of /supervision/incident-groups)'),
});
export type IncidentFilter = z.infer<typeof incidentFilterSchema>;

export interface OpenIncidentItem {
  id: string;
  dossierNumber: string;
  workflowId: string;
  step: string;
  agency: string;
  kind: string;
  errorType: IncidentErrorType;
  openedAt: string;
}

/** Read at most this many before narrowing by error type: a province's outage, not the whole history. */
const readCap = 5000;

export async function openIncidents(db: Database, principal: Principal, filter: IncidentFilter, options: { ids?: string[]; limit?: number } = {}): Promise<OpenIncidentItem[]> {
  const { errorType, ...listFilter } = filter;
  const where = runningWhereSql(principal.jurisdiction, listFilter, new Date());
  const conditions = [
    Prisma.sql`i.status = 'OPEN'`,
    Prisma.sql`i.dossier_id IN (SELECT id FROM dossier WHERE ${where})`,
    ...incidentPlaceSql(listFilter),
    ...(options.ids ? [Prisma.sql`i.id = ANY(${options.ids}::uuid[])`] : []),
  ];
  const rows = await db.$queryRaw<{ id: string; dossier_number: string; workflow_id: string; step: string; agency: string; kind: string; last_error: string; opened_at: Date }[]>`
    SELECT i.id::text AS id, d.dossier_number, d.workflow_id, i.step, i.agency, i.kind::text AS kind, i.last_error, i.opened_at
      FROM incident i JOIN dossier d ON d.id = i.dossier_id
     WHERE ${Prisma.join(conditions, ' AND ')}
     ORDER BY i.opened_at, i.id LIMIT ${readCap}`;
  return rows
    .map((r) => ({ id: r.id, dossierNumber: r.dossier_number, workflowId: r.workflow_id, step: r.step, agency: r.agency, kind: r.kind, errorType: classifyIncidentError(r.last_error).type, openedAt: r.opened_at.toISOString() }))
    .filter((i) => !errorType || i.errorType === errorType)
    .slice(0, options.limit ?? readCap);
}

export const incidentGroupSchema = z.object({
  errorType: z.enum(incidentErrorTypes),
  agency: z.string(),
  step: z.string(),
  count: z.number().int(),
  oldestOpenedAt: z.iso.datetime(),
});
export type IncidentGroup = z.infer<typeof incidentGroupSchema>;

/** Open incidents grouped by error type, agency and step, the largest group first. */
export function groupIncidents(incidents: readonly OpenIncidentItem[]): IncidentGroup[] {
  const groups = new Map<string, IncidentGroup>();
  for (const i of incidents) {
    const key = `${i.errorType}:${i.agency}:${i.step}`;
    const group = groups.get(key) ?? { errorType: i.errorType, agency: i.agency, step: i.step, count: 0, oldestOpenedAt: i.openedAt };
    group.count += 1;
    if (i.openedAt < group.oldestOpenedAt) group.oldestOpenedAt = i.openedAt;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.oldestOpenedAt.localeCompare(b.oldestOpenedAt));
}
