import { z } from 'zod';
import { scopeFilter } from '../domain/authorization';
import { vietnamDate } from '../domain/intake';
import type { JurisdictionScope } from '../domain/principal';
import { completedDossierStatuses, openStepStatuses } from '../domain/statuses';
import { Prisma, sqlLiterals, type Database } from '../runtime/database';
import { troubledPortalMessagesSql } from './portal-outbox';
import { countRunning, runningWhereSql, scopeSql } from './stuck-dossiers';

/**
 * The supervisor's dashboard: what is open, late, failing or waiting for the citizen in the
 * supervisor's scope, where (agency × step, commune), and how the last weeks went (received and
 * completed per day, share completed within the deadline). Exact counts, from the read model.
 */
export const summaryDays = 14;

export const supervisionSummarySchema = z.object({
  open: z.number().int(),
  overdue: z.number().int(),
  withIncident: z.number().int(),
  waitingForCitizen: z.number().int(),
  /** Drafts opened by facilities' notices, past their legal registration limit and still unconfirmed. */
  overdueDrafts: z.number().int(),
  byAgencyAndStep: z.array(z.object({ agency: z.string(), step: z.string(), status: z.enum(openStepStatuses), count: z.number().int() })),
  /** The communes with the most overdue dossiers, then the most open ones (at most `summaryCommunes`). */
  byCommune: z.array(z.object({ provinceCode: z.string(), communeCode: z.string(), open: z.number().int(), overdue: z.number().int() })),
  daily: z.array(z.object({ day: z.string(), received: z.number().int(), completed: z.number().int(), completedOnTime: z.number().int() })),
  /**
   * Per agency, over the days shown (Nghị định 63 Điều 7.2–7.3): apologies for lateness (those the
   * system issued because no officer did, counted apart too) and verifications declared.
   */
  appointmentChangesByAgency: z.array(z.object({ agency: z.string(), apologies: z.number().int(), automaticApologies: z.number().int(), verifications: z.number().int() })),
  /** Completed within the deadline ÷ completed, over the days shown; null when nothing completed. */
  onTimeShare: z.number().nullable(),
  portalUndelivered: z
    .number()
    .int()
    .describe(
      "Status messages to the national public service portal, of dossiers in scope, the portal has not taken: refused by it (4xx, closed as REJECTED) or failing (PORTAL_MAX_ATTEMPTS sends or more, still retried). POST /v1/supervision/portal-messages/retry sends them again",
    ),
});
export type SupervisionSummary = z.infer<typeof supervisionSummarySchema>;

/** One Vietnam calendar day: dossiers received, completed, and completed within their deadline. */
interface DayCounts {
  received: number;
  completed: number;
  completedOnTime: number;
}

/** The Vietnam calendar day of each of the last `days` days, oldest first. */
function lastDays(now: Date, days: number): string[] {
  const today = Date.parse(vietnamDate(now));
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

/** Received, completed and completed on time per day from `from` (inclusive) to `to` (exclusive), in a scope. */
async function countDays(db: Database, scope: JurisdictionScope, from: Date, to: Date): Promise<Map<string, DayCounts>> {
  const where = Prisma.join([Prisma.sql`TRUE`, ...scopeSql(scope)], ' AND ');
  const [received, completed] = await Promise.all([
    db.$queryRaw<{ day: string; n: bigint }[]>`
      SELECT to_char(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day, count(*) AS n
      FROM dossier WHERE received_at >= ${from} AND received_at < ${to} AND ${where} GROUP BY 1`,
    db.$queryRaw<{ day: string; n: bigint; on_time: bigint }[]>`
      SELECT to_char(completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day, count(*) AS n, count(*) FILTER (WHERE completed_at <= due_at) AS on_time
      FROM dossier WHERE completed_at >= ${from} AND completed_at < ${to} AND status IN (${sqlLiterals(completedDossierStatuses)}) AND ${where} GROUP BY 1`,
  ]);
  const days = new Map<string, DayCounts>();
  const of = (day: string): DayCounts => days.get(day) ?? days.set(day, { received: 0, completed: 0, completedOnTime: 0 }).get(day)!;
  for (const r of received) of(r.day).received = Number(r.n);
  for (const r of completed) Object.assign(of(r.day), { completed: Number(r.n), completedOnTime: Number(r.on_time) });
  return days;
}

/**
 * A day's counts never change once it is over: a dossier's receipt and completion times are written
 * once, as they happen. So the days before today are counted once per scope and kept (exact, not a
 * cache that can go stale); only today is counted on every call. Yesterday stays open for a quarter of
 * an hour after midnight, so that a completion stamped just before midnight and committed just after
 * is counted in it.
 */
const closedAfterMs = 15 * 60_000;
const closedDays = new Map<string, { from: string; until: string; counts: Map<string, DayCounts> }>();
const dayStart = (day: string): Date => new Date(`${day}T00:00:00+07:00`);

async function dailyCounts(db: Database, scope: JurisdictionScope, now: Date): Promise<({ day: string } & DayCounts)[]> {
  const days = lastDays(now, summaryDays);
  const [first, yesterday, today] = [days[0]!, days[days.length - 2]!, days[days.length - 1]!];
  const openFrom = now.getTime() - dayStart(today).getTime() >= closedAfterMs ? today : yesterday;
  const scopeKey = JSON.stringify(scopeFilter(scope));
  let closed = closedDays.get(scopeKey);
  if (closed?.from !== first || closed.until !== openFrom) {
    closed = { from: first, until: openFrom, counts: await countDays(db, scope, dayStart(first), dayStart(openFrom)) };
    if (closedDays.size >= 1000) closedDays.clear(); // one entry per scope seen; bounded all the same
    closedDays.set(scopeKey, closed);
  }
  const open = await countDays(db, scope, dayStart(openFrom), new Date(now.getTime() + 1));
  const none: DayCounts = { received: 0, completed: 0, completedOnTime: 0 };
  return days.map((day) => ({ day, ...(closed.counts.get(day) ?? open.get(day) ?? none) }));
}

/** The communes shown: the most overdue first, then the busiest. */
export const summaryCommunes = 100;

/** Apologies and verifications per agency since `from`, in a scope; the agencies with the most apologies first. */
async function appointmentChangesByAgency(db: Database, scope: JurisdictionScope, from: Date): Promise<SupervisionSummary['appointmentChangesByAgency']> {
  const where = Prisma.join([Prisma.sql`TRUE`, ...scopeSql(scope)], ' AND ');
  const rows = await db.$queryRaw<{ agency: string; apologies: bigint; automatic: bigint; verifications: bigint }[]>`
    SELECT agency, count(*) FILTER (WHERE kind = 'APOLOGY') AS apologies, count(*) FILTER (WHERE kind = 'APOLOGY' AND automatic) AS automatic,
           count(*) FILTER (WHERE kind = 'VERIFICATION') AS verifications
    FROM appointment_change WHERE issued_at >= ${from} AND dossier_id IN (SELECT id FROM dossier WHERE ${where})
    GROUP BY agency ORDER BY apologies DESC, verifications DESC, agency`;
  return rows.map((r) => ({ agency: r.agency, apologies: Number(r.apologies), automaticApologies: Number(r.automatic), verifications: Number(r.verifications) }));
}

/** Portal messages the portal refused or that keep failing, for the dossiers of a scope. */
async function portalUndelivered(db: Database, scope: JurisdictionScope, maxAttempts: number): Promise<number> {
  const where = Prisma.join([Prisma.sql`TRUE`, ...scopeSql(scope)], ' AND ');
  const [row] = await db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM portal_status_outbox
    WHERE ${troubledPortalMessagesSql(maxAttempts)} AND dossier_id IN (SELECT id FROM dossier WHERE ${where})`;
  return row?.n ?? 0;
}

/** `portalMaxAttempts`: the configured PORTAL_MAX_ATTEMPTS (its default when not given). */
export async function supervisionSummary(db: Database, scope: JurisdictionScope, now = new Date(), options: { portalMaxAttempts?: number } = {}): Promise<SupervisionSummary> {
  const running = runningWhereSql(scope, {}, now);
  const [counts, communes, daily, overdueDrafts, appointmentChanges, undelivered] = await Promise.all([
    countRunning(db, running, now),
    db.$queryRaw<{ province_code: string; commune_code: string; open: bigint; overdue: bigint }[]>`
      SELECT province_code, commune_code, count(*) AS open, count(*) FILTER (WHERE late_at < ${now}) AS overdue
      FROM dossier WHERE ${running} GROUP BY 1, 2 ORDER BY overdue DESC, open DESC, 1, 2 LIMIT ${summaryCommunes}`,
    dailyCounts(db, scope, now),
    db.lifeEventNotice.count({ where: { ...scopeFilter(scope), status: 'DRAFT', limitAt: { lt: now } } }),
    appointmentChangesByAgency(db, scope, dayStart(lastDays(now, summaryDays)[0]!)),
    portalUndelivered(db, scope, options.portalMaxAttempts ?? 20),
  ]);
  const done = daily.reduce((sum, d) => sum + d.completed, 0);
  return {
    open: counts.open,
    overdue: counts.overdue,
    withIncident: counts.withIncident,
    waitingForCitizen: counts.waitingForCitizen,
    overdueDrafts,
    byAgencyAndStep: counts.steps,
    byCommune: communes.map((c) => ({ provinceCode: c.province_code, communeCode: c.commune_code, open: Number(c.open), overdue: Number(c.overdue) })),
    daily,
    appointmentChangesByAgency: appointmentChanges,
    onTimeShare: done === 0 ? null : daily.reduce((sum, d) => sum + d.completedOnTime, 0) / done,
    portalUndelivered: undelivered,
  };
}
