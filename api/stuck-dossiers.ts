import { z } from 'zod';
import { agencyRoles, agencyStepPairs, procedureGroups, stepCodes } from '../domain/procedures';
import { scopeFilter } from '../domain/authorization';
import { isOneOf, openStepStatuses, openTaskStatuses, runningDossierStatuses, type DossierStatus, type OpenStepStatus } from '../domain/statuses';
import type { JurisdictionScope, Principal } from '../domain/principal';
import { Prisma, sqlLiterals, type Database } from '../runtime/database';
import { stoppingOf } from './stopping-dossiers';

/**
 * The supervisor's view of what is stuck: dossiers not yet ended, narrowed by a filter and always by
 * the supervisor's own jurisdiction. Shared by the API and the query benchmark (bench/).
 *
 * Every condition reads the columns the database keeps on each dossier in the same transaction as its
 * step and incident writes (`late_at`, `open_incident_count`, `waiting_for_citizen`, `open_steps`:
 * migration 20261125160000), through an index of running dossiers only: the counts are exact and no
 * view joins the steps.
 */
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const filterSchema = z.object({
  group: z.enum(procedureGroups).optional(),
  step: z.enum(stepCodes).optional().describe('Dossiers with this step open (running, waiting for the citizen, or an incident)'),
  agency: z.enum(agencyRoles).optional().describe('Dossiers with an open step of this agency'),
  provinceCode: z.string().regex(/^\d{2}$/).optional(),
  communeCode: z.string().regex(/^\d{5}$/).optional(),
  overdue: flag.optional(),
  incident: flag.optional(),
  waitingForCitizen: flag.optional(),
  olderThanDays: z.coerce.number().int().min(0).max(3650).optional(),
});
export type Filter = z.infer<typeof filterSchema>;

/** An open step as the database keeps it on its dossier: 'AGENCY:STEP:STATUS'. */
export interface OpenStep {
  agency: string;
  step: string;
  status: OpenStepStatus;
}
export const parseOpenStep = (key: string): OpenStep => {
  const [agency = '', step = '', status = ''] = key.split(':');
  // The triggers write only open steps' keys (tests/integration/status-vocabulary.test.ts).
  return { agency, step, status: status as OpenStepStatus };
};

/**
 * The open-step keys a filter on step or agency matches, for an array overlap: only the pairs the
 * definitions can produce, so the overlap stays short. The citizen's supplement alone has its own column;
 * with `incident`, only the steps parked on an incident.
 */
function openStepKeys(f: Filter): string[] {
  const statuses = openStepStatuses.filter((s) => (!f.waitingForCitizen || s === 'WAITING_FOR_SUPPLEMENT') && (!f.incident || s === 'INCIDENT'));
  return agencyStepPairs
    .filter(([agency, step]) => (!f.agency || agency === f.agency) && (!f.step || step === f.step))
    .flatMap(([agency, step]) => statuses.map((status) => `${agency}:${step}:${status}`));
}

/** An open incident's (or task's) own agency and step, as the filter names them (`i` is the row). */
export function incidentPlaceSql(f: Pick<Filter, 'agency' | 'step'>): Prisma.Sql[] {
  return [...(f.agency ? [Prisma.sql`i.agency = ${f.agency}`] : []), ...(f.step ? [Prisma.sql`i.step = ${f.step}`] : [])];
}

/**
 * A filter on step or agency: an open step of theirs, or an open incident of theirs. A step whose act
 * stands while its undo (or a record of it) failed is no open step of the read model, yet its incident
 * waits for a supervisor: the list shows that dossier, as the bulk decisions on the same filter reach it.
 */
function stepOrIncidentSql(f: Filter): Prisma.Sql | undefined {
  if (!f.step && !f.agency) return undefined;
  const steps = Prisma.sql`open_steps && ${openStepKeys(f)}::text[]`;
  if (f.waitingForCitizen) return steps;
  const place = Prisma.join(incidentPlaceSql(f), ' AND ');
  // A stopped group's act still to undo at this agency and step is owed too (the list shows it so).
  const undo = Prisma.sql`EXISTS (SELECT 1 FROM agency_task i WHERE i.dossier_id = dossier.id AND i.kind = 'UNDO' AND i.status IN (${sqlLiterals(openTaskStatuses)}) AND ${place})`;
  if (f.incident === false) return Prisma.sql`(${steps} OR ${undo})`;
  const incident = Prisma.sql`(open_incident_count > 0 AND EXISTS (SELECT 1 FROM incident i WHERE i.dossier_id = dossier.id AND i.status = 'OPEN' AND ${place}))`;
  return f.incident ? Prisma.sql`(${steps} OR ${incident})` : Prisma.sql`(${steps} OR ${incident} OR ${undo})`;
}

/**
 * Running dossiers in a scope, narrowed by a filter, as SQL. Values are bound, never spliced. A running
 * dossier is late when its own deadline or an open step's has passed: one definition for every list,
 * count and flag.
 */
/** A jurisdiction as conditions on the dossier table; codes come from a verified token and are bound. */
export function scopeSql(scope: JurisdictionScope): Prisma.Sql[] {
  const place = scopeFilter(scope);
  return [
    ...(place.provinceCode ? [Prisma.sql`province_code = ${place.provinceCode}`] : []),
    ...(place.communeCode ? [Prisma.sql`commune_code = ${place.communeCode}`] : []),
  ];
}

export function runningWhereSql(scope: JurisdictionScope, f: Filter, now: Date): Prisma.Sql {
  const stepOrIncident = stepOrIncidentSql(f);
  const conditions: Prisma.Sql[] = [
    // Written out, not bound: the planner matches it to the partial indexes of running dossiers.
    Prisma.sql`status IN (${sqlLiterals(runningDossierStatuses)})`,
    // The supervisor's own jurisdiction always narrows what a filter can reach.
    ...scopeSql(scope),
    ...(f.provinceCode ? [Prisma.sql`province_code = ${f.provinceCode}`] : []),
    ...(f.communeCode ? [Prisma.sql`commune_code = ${f.communeCode}`] : []),
    ...(f.group ? [Prisma.sql`procedure_group = ${f.group}::"ProcedureGroup"`] : []),
    ...(f.overdue === undefined ? [] : [f.overdue ? Prisma.sql`late_at < ${now}` : Prisma.sql`late_at >= ${now}`]),
    ...(f.olderThanDays === undefined ? [] : [Prisma.sql`received_at < ${new Date(now.getTime() - f.olderThanDays * 86_400_000)}`]),
    ...(f.incident === undefined ? [] : [f.incident ? Prisma.sql`open_incident_count > 0` : Prisma.sql`open_incident_count = 0`]),
    ...(f.waitingForCitizen ? [Prisma.sql`waiting_for_citizen`] : []),
    ...(stepOrIncident ? [stepOrIncident] : []),
  ];
  return Prisma.join(conditions, ' AND ');
}

export interface RunningCounts {
  open: number;
  overdue: number;
  withIncident: number;
  waitingForCitizen: number;
  /** Open steps per agency, step and status. */
  steps: (OpenStep & { count: number })[];
}

/**
 * What the dossiers a condition selects hold, counted in one pass over them. Grouped by the whole set
 * of open steps (a few distinct sets among thousands of dossiers), then spread per step here: cheaper
 * than unnesting every dossier's steps in the database.
 */
export async function countRunning(db: Database, where: Prisma.Sql, now: Date): Promise<RunningCounts> {
  const rows = await db.$queryRaw<{ open_steps: string[]; n: bigint; overdue: bigint; with_incident: bigint; waiting: bigint }[]>`
    SELECT open_steps, count(*) AS n, count(*) FILTER (WHERE late_at < ${now}) AS overdue,
           count(*) FILTER (WHERE open_incident_count > 0) AS with_incident, count(*) FILTER (WHERE waiting_for_citizen) AS waiting
    FROM dossier WHERE ${where} GROUP BY open_steps`;
  const counts: RunningCounts = { open: 0, overdue: 0, withIncident: 0, waitingForCitizen: 0, steps: [] };
  const perStep = new Map<string, number>();
  for (const row of rows) {
    const n = Number(row.n);
    counts.open += n;
    counts.overdue += Number(row.overdue);
    counts.withIncident += Number(row.with_incident);
    counts.waitingForCitizen += Number(row.waiting);
    for (const key of row.open_steps) perStep.set(key, (perStep.get(key) ?? 0) + n);
  }
  counts.steps = [...perStep].sort(([a], [b]) => a.localeCompare(b)).map(([key, count]) => ({ ...parseOpenStep(key), count }));
  return counts;
}

/** What a dossier owes now, as the stuck list shows it: an open step, or an act of a stopped group still to undo. */
export const owedStepStatuses = [...openStepStatuses, 'UNDO_REQUESTED'] as const;
export type OwedStepStatus = (typeof owedStepStatuses)[number];
export interface OwedStep {
  step: string;
  agency: string;
  status: OwedStepStatus;
  /** Since when it is owed: the step's start, the supplement's request, the incident's opening or the undo's request. */
  since: string | null;
}

/**
 * The steps each of these dossiers owes, with since when, read from the steps, their open incidents and
 * undo tasks (a page of the list: a few dozen dossiers). A step parked on an incident of any kind is
 * the incident's, since it opened.
 */
export async function owedStepsOf(db: Database, dossierIds: readonly string[]): Promise<Map<string, OwedStep[]>> {
  const owed = new Map<string, OwedStep[]>();
  if (dossierIds.length === 0) return owed;
  const rows = await db.$queryRaw<{ dossier_id: string; step: string; agency: string; status: string; started_at: Date | null; incident_at: Date | null; supplement_at: Date | null; undo_at: Date | null }[]>`
    SELECT s.dossier_id::text AS dossier_id, s.step, s.agency, s.status::text AS status, s.started_at,
           (SELECT min(i.opened_at) FROM incident i WHERE i.dossier_id = s.dossier_id AND i.step = s.step AND i.status = 'OPEN') AS incident_at,
           (SELECT max(e.at) FROM dossier_event e WHERE e.dossier_id = s.dossier_id AND e.step = s.step AND e.type = 'SUPPLEMENT_REQUESTED') AS supplement_at,
           (SELECT max(t.created_at) FROM agency_task t WHERE t.dossier_id = s.dossier_id AND t.step = s.step AND t.kind = 'UNDO' AND t.status IN (${sqlLiterals(openTaskStatuses)})) AS undo_at
      FROM dossier_step s WHERE s.dossier_id = ANY(${[...dossierIds]}::uuid[])
     ORDER BY s.step`;
  for (const r of rows) {
    const status: OwedStepStatus | undefined = r.incident_at ? 'INCIDENT' : r.undo_at ? 'UNDO_REQUESTED' : isOneOf(openStepStatuses, r.status) ? r.status : undefined;
    if (!status) continue;
    const since = status === 'INCIDENT' ? r.incident_at : status === 'UNDO_REQUESTED' ? r.undo_at : status === 'WAITING_FOR_SUPPLEMENT' ? (r.supplement_at ?? r.started_at) : r.started_at;
    owed.set(r.dossier_id, [...(owed.get(r.dossier_id) ?? []), { step: r.step, agency: r.agency, status, since: since?.toISOString() ?? null }]);
  }
  return owed;
}

export type StuckDossiers = Awaited<ReturnType<typeof listStuckDossiers>>;

/** One page of stuck dossiers, oldest deadline first, with counts of their open steps per agency and step. */
export async function listStuckDossiers(db: Database, principal: Principal, filter: Filter, page: number, pageSize: number) {
  const now = new Date();
  const where = runningWhereSql(principal.jurisdiction, filter, now);
  const [counts, rows] = await Promise.all([
    countRunning(db, where, now),
    db.$queryRaw<
      { id: string; dossier_number: string; procedure_group: string; status: DossierStatus; province_code: string; commune_code: string; received_at: Date; due_at: Date; late_at: Date; open_steps: string[] }[]
    >`SELECT id::text AS id, dossier_number, procedure_group, status, province_code, commune_code, received_at, due_at, late_at, open_steps
      FROM dossier WHERE ${where} ORDER BY due_at, dossier_number LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
  ]);
  const ids = rows.map((d) => d.id);
  const [owed, stopping] = await Promise.all([owedStepsOf(db, ids), stoppingOf(db, ids)]);
  return {
    total: counts.open,
    page,
    dossiers: rows.map((d) => ({
      dossierNumber: d.dossier_number,
      procedureGroup: d.procedure_group,
      status: d.status,
      stopping: stopping.get(d.id) ?? null,
      provinceCode: d.province_code,
      communeCode: d.commune_code,
      receivedAt: d.received_at.toISOString(),
      dueAt: d.due_at.toISOString(),
      overdue: d.late_at < now,
      openSteps: owed.get(d.id) ?? [],
    })),
    countsByAgencyAndStep: counts.steps,
  };
}
