import { z } from 'zod';
import { agencyRoles, procedureGroups, stepCodes } from '../domain/procedures';
import { scopeFilter } from '../domain/authorization';
import type { Principal } from '../domain/principal';
import type { Database, Prisma } from '../runtime/database';

/**
 * The supervisor's view of what is stuck: dossiers not yet ended, narrowed by a filter and always by
 * the supervisor's own jurisdiction. Shared by the API and the query benchmark (bench/).
 */
/** A dossier not yet ended, and a step an agency (or the citizen) still owes: shared by every supervision view. */
export const activeStatuses = ['RECEIVED', 'IN_PROGRESS'] as const;
export const openStepStatuses = ['RUNNING', 'WAITING_FOR_SUPPLEMENT', 'INCIDENT'] as const;
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const filterSchema = z.object({
  group: z.enum(procedureGroups).optional(),
  step: z.enum(stepCodes).optional(),
  agency: z.enum(agencyRoles).optional(),
  provinceCode: z.string().regex(/^\d{2}$/).optional(),
  communeCode: z.string().regex(/^\d{5}$/).optional(),
  overdue: flag.optional(),
  incident: flag.optional(),
  waitingForCitizen: flag.optional(),
  olderThanDays: z.coerce.number().int().min(0).max(3650).optional(),
});
export type Filter = z.infer<typeof filterSchema>;

/** A step is late when its agency's working days ran out before it finished. */
const overdueStep = (now: Date): Prisma.DossierStepWhereInput => ({ status: { in: [...openStepStatuses] }, dueAt: { lt: now } });

/** A running dossier is late when its own deadline passed or one of its steps is late: one definition for the list and the dashboard. */
export function lateWhere(now: Date): Prisma.DossierWhereInput {
  return { OR: [{ dueAt: { lt: now } }, { steps: { some: overdueStep(now) } }] };
}

/** Stuck dossiers: not ended, narrowed by the filter. Each condition uses an index of its table. */
function stuckWhere(principal: Principal, f: Filter, now: Date): Prisma.DossierWhereInput {
  const stepWhere: Prisma.DossierStepWhereInput = {
    ...(f.step ? { step: f.step } : {}),
    ...(f.agency ? { agency: f.agency } : {}),
    ...(f.waitingForCitizen ? { status: 'WAITING_FOR_SUPPLEMENT' } : {}),
  };
  return {
    AND: [
      // The supervisor's own jurisdiction always narrows what a filter can reach.
      scopeFilter(principal.jurisdiction),
      { status: { in: [...activeStatuses] } },
      f.group ? { procedureGroup: f.group } : {},
      f.provinceCode ? { provinceCode: f.provinceCode } : {},
      f.communeCode ? { communeCode: f.communeCode } : {},
      f.overdue === undefined ? {} : f.overdue ? lateWhere(now) : { dueAt: { gte: now }, steps: { none: overdueStep(now) } },
      f.olderThanDays === undefined ? {} : { receivedAt: { lt: new Date(now.getTime() - f.olderThanDays * 86_400_000) } },
      Object.keys(stepWhere).length > 0 ? { steps: { some: stepWhere } } : {},
      f.incident === undefined ? {} : f.incident ? { incidents: { some: { status: 'OPEN' } } } : { incidents: { none: { status: 'OPEN' } } },
    ],
  };
}


export type StuckDossiers = Awaited<ReturnType<typeof listStuckDossiers>>;

/** One page of stuck dossiers, oldest deadline first, with counts of their open steps per agency and step. */
export async function listStuckDossiers(db: Database, principal: Principal, filter: Filter, page: number, pageSize: number) {
        const now = new Date();
        const where = stuckWhere(principal, filter, now);
        const [total, rows, counts] = await Promise.all([
          db.dossier.count({ where }),
          db.dossier.findMany({
            where,
            orderBy: { dueAt: 'asc' },
            skip: (page - 1) * pageSize,
            take: pageSize,
            include: { steps: { where: { status: { in: [...openStepStatuses] } }, select: { step: true, agency: true, status: true } } },
          }),
          db.dossierStep.groupBy({ by: ['agency', 'step', 'status'], where: { status: { in: [...openStepStatuses] }, dossier: where }, _count: { _all: true } }),
        ]);
        return {
          total,
          page,
          dossiers: rows.map((d) => ({
            dossierNumber: d.dossierNumber,
            procedureGroup: d.procedureGroup,
            status: d.status,
            provinceCode: d.provinceCode,
            communeCode: d.communeCode,
            receivedAt: d.receivedAt.toISOString(),
            dueAt: d.dueAt.toISOString(),
            overdue: d.dueAt < now,
            openSteps: d.steps,
          })),
          countsByAgencyAndStep: counts.map((c) => ({ agency: c.agency, step: c.step, status: c.status, count: c._count._all })),
        };
}
