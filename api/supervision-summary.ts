import { z } from 'zod';
import { scopeFilter } from '../domain/authorization';
import { vietnamDate } from '../domain/intake';
import type { JurisdictionScope } from '../domain/principal';
import { Prisma, type Database } from '../runtime/database';
import { activeStatuses, lateWhere, openStepStatuses } from './stuck-dossiers';

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
  byAgencyAndStep: z.array(z.object({ agency: z.string(), step: z.string(), status: z.string(), count: z.number().int() })),
  byCommune: z.array(z.object({ provinceCode: z.string(), communeCode: z.string(), open: z.number().int(), overdue: z.number().int() })),
  daily: z.array(z.object({ day: z.string(), received: z.number().int(), completed: z.number().int(), completedOnTime: z.number().int() })),
  /** Completed within the deadline ÷ completed, over the days shown; null when nothing completed. */
  onTimeShare: z.number().nullable(),
});
export type SupervisionSummary = z.infer<typeof supervisionSummarySchema>;

/** The scope as SQL over the dossier table; codes come from a verified token and are bound, never spliced. */
function scopeSql(scope: JurisdictionScope): Prisma.Sql {
  const place = scopeFilter(scope);
  const conditions = [
    place.provinceCode ? Prisma.sql`province_code = ${place.provinceCode}` : Prisma.sql`TRUE`,
    place.communeCode ? Prisma.sql`commune_code = ${place.communeCode}` : Prisma.sql`TRUE`,
  ];
  return Prisma.join(conditions, ' AND ');
}

/** The Vietnam calendar day of each of the last `days` days, oldest first. */
function lastDays(now: Date, days: number): string[] {
  const today = Date.parse(vietnamDate(now));
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

export async function supervisionSummary(db: Database, scope: JurisdictionScope, now = new Date()): Promise<SupervisionSummary> {
  const place = scopeFilter(scope);
  const active = { ...place, status: { in: [...activeStatuses] } };
  const days = lastDays(now, summaryDays);
  const since = new Date(`${days[0]}T00:00:00+07:00`);
  const where = scopeSql(scope);
  const [open, overdue, withIncident, waitingForCitizen, steps, communes, lateCommunes, received, completed] = await Promise.all([
    db.dossier.count({ where: active }),
    db.dossier.count({ where: { ...active, ...lateWhere(now) } }),
    db.dossier.count({ where: { ...active, incidents: { some: { status: 'OPEN' } } } }),
    db.dossier.count({ where: { ...active, steps: { some: { status: 'WAITING_FOR_SUPPLEMENT' } } } }),
    db.dossierStep.groupBy({ by: ['agency', 'step', 'status'], where: { status: { in: [...openStepStatuses] }, dossier: active }, _count: { _all: true } }),
    db.dossier.groupBy({ by: ['provinceCode', 'communeCode'], where: active, _count: { _all: true } }),
    db.dossier.groupBy({ by: ['provinceCode', 'communeCode'], where: { ...active, ...lateWhere(now) }, _count: { _all: true } }),
    db.$queryRaw<{ day: string; n: bigint }[]>`
      SELECT to_char(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day, count(*) AS n
      FROM dossier WHERE received_at >= ${since} AND ${where} GROUP BY 1`,
    db.$queryRaw<{ day: string; n: bigint; on_time: bigint }[]>`
      SELECT to_char(completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day, count(*) AS n, count(*) FILTER (WHERE completed_at <= due_at) AS on_time
      FROM dossier WHERE completed_at >= ${since} AND status IN ('COMPLETED', 'PARTIALLY_COMPLETED') AND ${where} GROUP BY 1`,
  ]);
  const lateByCommune = new Map(lateCommunes.map((c) => [`${c.provinceCode}/${c.communeCode}`, c._count._all]));
  const receivedByDay = new Map(received.map((r) => [r.day, Number(r.n)]));
  const completedByDay = new Map(completed.map((r) => [r.day, r]));
  const daily = days.map((day) => ({
    day,
    received: receivedByDay.get(day) ?? 0,
    completed: Number(completedByDay.get(day)?.n ?? 0),
    completedOnTime: Number(completedByDay.get(day)?.on_time ?? 0),
  }));
  const done = daily.reduce((sum, d) => sum + d.completed, 0);
  return {
    open,
    overdue,
    withIncident,
    waitingForCitizen,
    byAgencyAndStep: steps.map((s) => ({ agency: s.agency, step: s.step, status: s.status, count: s._count._all })),
    byCommune: communes
      .map((c) => ({ provinceCode: c.provinceCode, communeCode: c.communeCode, open: c._count._all, overdue: lateByCommune.get(`${c.provinceCode}/${c.communeCode}`) ?? 0 }))
      .sort((a, b) => b.overdue - a.overdue || b.open - a.open),
    daily,
    onTimeShare: done === 0 ? null : daily.reduce((sum, d) => sum + d.completedOnTime, 0) / done,
  };
}
