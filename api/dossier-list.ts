import { z } from 'zod';
import { scopeFilter } from '../domain/authorization';
import type { Principal } from '../domain/principal';
import { procedureGroups } from '../domain/procedures';
import { dossierStatuses, openStepStatuses, stepStatuses } from '../domain/statuses';
import type { Database, Prisma } from '../runtime/database';
import { iso, timestamp } from './schemas';
import { stoppingOf, stoppingSchema } from './stopping-dossiers';

/**
 * The dossiers a principal may read, as a desk works them: active ones first, the most overdue on
 * top, then the ended ones, newest first. Searchable by dossier number (no personal data in a URL).
 */
export const dossierListQuerySchema = z.object({
  q: z.string().trim().max(64).optional().describe('Part of the dossier number'),
  status: z.enum(dossierStatuses).optional(),
  group: z.enum(procedureGroups).optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  waitingForCitizen: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type DossierListQuery = z.infer<typeof dossierListQuerySchema>;

export const dossierListSchema = z.object({
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  items: z.array(
    z.object({
      dossierNumber: z.string(),
      procedureGroup: z.enum(procedureGroups),
      status: z.enum(dossierStatuses),
      stopping: stoppingSchema,
      receivedAt: z.iso.datetime(),
      dueAt: z.iso.datetime(),
      completedAt: timestamp,
      overdue: z.boolean(),
      openSteps: z.array(z.object({ step: z.string(), agency: z.string(), status: z.enum(stepStatuses) })),
    }),
  ),
});
export type DossierList = z.infer<typeof dossierListSchema>;

/** Where a principal's readable dossiers are: the same rule as `canAccessDossier`, as a query. */
function readableWhere(principal: Principal): Prisma.DossierWhereInput {
  const place = scopeFilter(principal.jurisdiction);
  const agencyWorks = principal.role === 'AGENCY_OFFICER' || principal.role === 'AGENCY_SYSTEM';
  return agencyWorks ? { ...place, steps: { some: { agency: principal.agency ?? '-' } } } : place;
}

/** `also`: a further condition (the search by name, api/dossier-search.ts). */
export async function listDossiers(db: Database, principal: Principal, query: DossierListQuery, now = new Date(), also: Prisma.DossierWhereInput = {}): Promise<DossierList> {
  // Late, as the `overdue` flag of each item says: ended after its deadline, or still open past it.
  const late: Prisma.DossierWhereInput[] = [{ completedAt: null, dueAt: { lt: now } }, { completedAt: { gt: db.dossier.fields.dueAt } }];
  const where: Prisma.DossierWhereInput = {
    AND: [
      readableWhere(principal),
      also,
      query.q ? { dossierNumber: { contains: query.q } } : {},
      query.status ? { status: query.status } : {},
      query.group ? { procedureGroup: query.group } : {},
      query.overdue === undefined ? {} : query.overdue ? { OR: late } : { NOT: { OR: late } },
      query.waitingForCitizen ? { steps: { some: { status: 'WAITING_FOR_SUPPLEMENT' } } } : {},
    ],
  };
  const [total, rows] = await Promise.all([
    db.dossier.count({ where }),
    db.dossier.findMany({
      where,
      // Active first (no completion time), by deadline: the most overdue on top. Then the ended, newest first.
      orderBy: [{ completedAt: { sort: 'desc', nulls: 'first' } }, { dueAt: 'asc' }, { dossierNumber: 'asc' }],
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
      include: { steps: { where: { status: { in: [...openStepStatuses] } }, select: { step: true, agency: true, status: true } } },
    }),
  ]);
  const stopping = await stoppingOf(db, rows.map((d) => d.id));
  return {
    total,
    page: query.page,
    pageSize: query.pageSize,
    items: rows.map((d) => ({
      dossierNumber: d.dossierNumber,
      procedureGroup: d.procedureGroup as (typeof procedureGroups)[number],
      status: d.status,
      stopping: stopping.get(d.id) ?? null,
      receivedAt: d.receivedAt.toISOString(),
      dueAt: d.dueAt.toISOString(),
      completedAt: iso(d.completedAt),
      overdue: (d.completedAt ?? now) > d.dueAt,
      openSteps: d.steps,
    })),
  };
}
