import { procedureGroups } from '../domain/procedures';
import { dossierStatuses, runningDossierStatuses, stepStatuses } from '../domain/statuses';
import type { Database } from './database';
import type { DossierCount, MetricsSource, StepCount } from './metrics';

/**
 * The domain gauges' counts from PostgreSQL: one GROUP BY per metric family, each answered from an
 * index alone (dossier: procedure_group, status; dossier_step: step, agency, status), so a scrape
 * stays cheap with millions of rows.
 *
 * Statuses the database has no row for are reported as 0, so a status that empties reads 0 instead
 * of vanishing from the graphs and alerts.
 */
export function createDatabaseMetricsSource(db: Database, options: { portalMaxAttempts?: number } = {}): MetricsSource {
  const portalMaxAttempts = options.portalMaxAttempts ?? 20;
  return {
    async dossierCounts(): Promise<DossierCount[]> {
      const rows = await db.dossier.groupBy({ by: ['procedureGroup', 'status'], _count: { _all: true } });
      const counts = new Map(rows.map((r) => [`${r.procedureGroup}/${r.status}`, r._count._all]));
      return procedureGroups.flatMap((procedureGroup) =>
        dossierStatuses.map((status) => ({ procedureGroup, status, count: counts.get(`${procedureGroup}/${status}`) ?? 0 })),
      );
    },

    async stepCounts(): Promise<StepCount[]> {
      const rows = await db.dossierStep.groupBy({ by: ['step', 'agency', 'status'], _count: { _all: true } });
      const counts = new Map(rows.map((r) => [`${r.step}/${r.agency}/${r.status}`, r._count._all]));
      // The (step, agency) pairs come from the data: which agency does a step can depend on the dossier.
      const pairs = new Map(rows.map((r) => [`${r.step}/${r.agency}`, { step: r.step, agency: r.agency }]));
      return [...pairs.values()].flatMap(({ step, agency }) =>
        stepStatuses.map((status) => ({ step, agency, status, count: counts.get(`${step}/${agency}/${status}`) ?? 0 })),
      );
    },

    async openIncidentCounts() {
      const rows = await db.incident.groupBy({ by: ['step', 'agency'], where: { status: 'OPEN' }, _count: { _all: true } });
      return rows.map((r) => ({ step: r.step, agency: r.agency, count: r._count._all }));
    },
    /** Groups not yet ended whose working-day deadline has passed. */
    async overdueCounts() {
      const rows = await db.dossier.groupBy({
        by: ['procedureGroup'],
        where: { status: { in: [...runningDossierStatuses] }, dueAt: { lt: new Date() } },
        _count: { _all: true },
      });
      return rows.map((r) => ({ procedureGroup: r.procedureGroup, count: r._count._all }));
    },
    /** From the outbox's partial index of undelivered rows. */
    async pendingSignalCounts() {
      const [rows, decisions] = await Promise.all([
        db.workflowSignalOutbox.groupBy({ by: ['signal'], where: { deliveredAt: null }, _count: { _all: true } }),
        db.taskDecision.count({ where: { deliveredAt: null } }),
      ]);
      // Officers' decisions waiting for Temporal, always reported (0 when none).
      return [...rows.map((r) => ({ signal: r.signal, count: r._count._all })), { signal: 'decideTask', count: decisions }];
    },
    /** From the partial index of undelivered announcements; both statuses always reported (0 when none). */
    async undeliveredNotificationCounts() {
      const rows = await db.citizenNotification.groupBy({ by: ['status'], where: { status: { in: ['PENDING', 'FAILED'] } }, _count: { _all: true } });
      const counts = new Map(rows.map((r) => [r.status as string, r._count._all]));
      return ['PENDING', 'FAILED'].map((status) => ({ status, count: counts.get(status) ?? 0 }));
    },
    /** From the partial index of escalations still to announce, and the few given up. */
    async undeliveredEscalationCounts() {
      const [pending, givenUp] = await Promise.all([
        db.escalation.count({ where: { deliveredAt: null, givenUpAt: null } }),
        db.escalation.count({ where: { deliveredAt: null, givenUpAt: { not: null } } }),
      ]);
      return [
        { status: 'PENDING', count: pending },
        { status: 'GIVEN_UP', count: givenUp },
      ];
    },
    /** Both kinds and statuses always reported; a notice draft confirmed meanwhile needs no timers. */
    async unstartedWorkflowCounts() {
      const rows = await db.$queryRaw<{ kind: string; status: string; count: number }[]>`
        SELECT 'dossier' AS kind, CASE WHEN start_given_up_at IS NULL THEN 'PENDING' ELSE 'GIVEN_UP' END AS status, count(*)::int AS count
        FROM dossier WHERE workflow_started_at IS NULL GROUP BY 2
        UNION ALL
        SELECT 'notice', CASE WHEN start_given_up_at IS NULL THEN 'PENDING' ELSE 'GIVEN_UP' END, count(*)::int
        FROM life_event_notice WHERE workflow_started_at IS NULL AND status = 'DRAFT' GROUP BY 2`;
      const counts = new Map(rows.map((r) => [`${r.kind}/${r.status}`, r.count]));
      return ['dossier', 'notice'].flatMap((kind) => ['PENDING', 'GIVEN_UP'].map((status) => ({ kind, status, count: counts.get(`${kind}/${status}`) ?? 0 })));
    },
    /** Every status always reported (0 when none); the undelivered from the outbox's partial index. */
    async undeliveredPortalMessageCounts() {
      const [row] = await db.$queryRaw<{ pending: number; failing: number; rejected: number }[]>`
        SELECT count(*) FILTER (WHERE delivered_at IS NULL AND attempts < ${portalMaxAttempts})::int AS pending,
               count(*) FILTER (WHERE delivered_at IS NULL AND attempts >= ${portalMaxAttempts})::int AS failing,
               count(*) FILTER (WHERE outcome = 'REJECTED')::int AS rejected
        FROM portal_status_outbox WHERE delivered_at IS NULL OR outcome = 'REJECTED'`;
      return [
        { status: 'PENDING' as const, count: row?.pending ?? 0 },
        { status: 'FAILING' as const, count: row?.failing ?? 0 },
        { status: 'REJECTED' as const, count: row?.rejected ?? 0 },
      ];
    },
  };
}
