import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { agencyRoles, procedureGroups, stepCodes } from '../../domain/procedures';
import { searchAttributes } from '../../workflows/contract';
import { recordBulkDecisions } from '../incident-decisions';
import type { PeriodicJob } from '../../runtime/periodic';
import { messageId } from '../idempotency';
import { principalOf, requirePermission } from '../auth/plugin';
import { dossierFor } from '../dossier-access';
import type { DossierRouteDependencies } from './dossiers';
import { problemResponses } from '../problem';
import { dossierParams, iso, reason, security } from '../schemas';
import { filterSchema, listStuckDossiers } from '../stuck-dossiers';
import { scopeFilter } from '../../domain/authorization';
import { supervisionSummary, supervisionSummarySchema } from '../supervision-summary';

const timelineSchema = z.object({
  dossierNumber: z.string(),
  temporalUiUrl: z.string().optional(),
  entries: z.array(z.object({ at: z.string(), source: z.enum(['workflow', 'audit']), type: z.string(), step: z.string().nullable(), actor: z.string().nullable(), detail: z.unknown() })),
  incidents: z.array(z.object({ id: z.string(), step: z.string(), kind: z.string(), status: z.string(), lastError: z.string(), openedAt: z.string(), resolvedAt: z.string().nullable(), decision: z.string().nullable() })),
});
const bulkDecisionResultSchema = z.object({
  matched: z.number().int(),
  accepted: z
    .number()
    .int()
    .describe("Decisions recorded. Each reaches its dossier's workflow in the background within seconds; one decided meanwhile is left as it was"),
  /** The incidents matched: a preview's, to be decided exactly (`incidentIds`), whatever opened since. */
  incidentIds: z.array(z.uuid()),
});
export type Timeline = z.infer<typeof timelineSchema>;
export type BulkDecisionResult = z.infer<typeof bulkDecisionResultSchema>;


/** Supervisors: what is stuck, overdue or failing, and acting on it in bulk after an outage. */
export function supervisionRoutes(deps: DossierRouteDependencies & { signalRelay?: Pick<PeriodicJob, 'wake'> | undefined }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/supervision/dossiers',
      {
        preHandler: requirePermission('supervision.read'),
        schema: {
          tags: ['supervision'],
          summary: 'Dossiers not yet ended, filtered, oldest deadline first, with counts of their open steps per agency and step',
          security,
          querystring: filterSchema.extend({ page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(200).default(50) }),
          response: {
            200: z.object({
              total: z.number().int(),
              page: z.number().int(),
              dossiers: z.array(
                z.object({
                  dossierNumber: z.string(),
                  procedureGroup: z.string(),
                  status: z.string(),
                  provinceCode: z.string(),
                  communeCode: z.string(),
                  receivedAt: z.string(),
                  dueAt: z.string(),
                  overdue: z.boolean(),
                  openSteps: z.array(z.object({ step: z.string(), agency: z.string(), status: z.string() })),
                }),
              ),
              countsByAgencyAndStep: z.array(z.object({ agency: z.string(), step: z.string(), status: z.string(), count: z.number().int() })),
            }),
          },
        },
      },
      async (request) => {
        const { page, pageSize, ...filter } = request.query;
        return listStuckDossiers(deps.db, principalOf(request), filter, page, pageSize);
      },
    );

    app.get(
      '/supervision/summary',
      {
        preHandler: requirePermission('supervision.read'),
        schema: {
          tags: ['supervision'],
          summary: 'The dashboard of my scope: open, overdue, with an incident, waiting for the citizen; by agency × step and commune; the last 14 days',
          security,
          response: { 200: supervisionSummarySchema },
        },
      },
      async (request) => supervisionSummary(deps.db, principalOf(request).jurisdiction),
    );

    app.get(
      '/supervision/workflow-problems',
      {
        preHandler: requirePermission('supervision.read'),
        schema: {
          tags: ['supervision'],
          summary: "Dossiers whose workflow code keeps failing (Temporal's reported problems): they wait for a fix, not for an agency",
          security,
          response: {
            200: z.object({
              workflows: z.array(z.object({ dossierNumber: z.string().nullable(), workflowId: z.string(), problems: z.array(z.string()), temporalUiUrl: z.string().optional() })),
            }),
          },
        },
      },
      async (request) => {
        const jurisdiction = principalOf(request).jurisdiction;
        // The supervisor's scope, in Temporal's own query language (codes are digits only).
        const scope =
          jurisdiction.scope === 'NATIONAL'
            ? ''
            : ` AND ProvinceCode = '${jurisdiction.provinceCode}'` + (jurisdiction.scope === 'COMMUNE' ? ` AND CommuneCode = '${jurisdiction.communeCode}'` : '');
        const workflows = [];
        for await (const workflow of deps.temporal.workflow.list({ query: `ExecutionStatus = 'Running' AND TemporalReportedProblems IS NOT NULL${scope}` })) {
          workflows.push({
            dossierNumber: workflow.typedSearchAttributes.get(searchAttributes.dossierNumber) ?? null,
            workflowId: workflow.workflowId,
            problems: (workflow.searchAttributes.TemporalReportedProblems as string[] | undefined) ?? [],
            ...(deps.temporalUiUrl ? { temporalUiUrl: `${deps.temporalUiUrl}/workflows/${encodeURIComponent(workflow.workflowId)}` } : {}),
          });
          if (workflows.length >= 500) break;
        }
        return { workflows };
      },
    );

    app.get(
      '/dossiers/:dossierNumber/timeline',
      {
        preHandler: requirePermission('dossier.read'),
        schema: {
          tags: ['supervision'],
          summary: "A dossier's full timeline: step events, retries, supplements, incidents, compensations and audit entries",
          security,
          params: dossierParams,
          response: { 200: timelineSchema, ...problemResponses(404) },
        },
      },
      async (request) => {
        const { dossier } = await dossierFor(deps.db, request, request.params.dossierNumber, 'dossier.read');
        const [events, audits, incidents] = await Promise.all([
          deps.db.dossierEvent.findMany({ where: { dossierId: dossier.id }, orderBy: { id: 'asc' } }),
          deps.db.auditEntry.findMany({ where: { dossierNumber: dossier.dossierNumber }, orderBy: { id: 'asc' } }),
          deps.db.incident.findMany({ where: { dossierId: dossier.id }, orderBy: { openedAt: 'asc' } }),
        ]);
        const entries = [
          ...events.map((e) => ({ at: e.at, source: 'workflow' as const, type: e.type, step: e.step, actor: null, detail: e.detail })),
          ...audits.map((a) => ({ at: a.at, source: 'audit' as const, type: a.action, step: null, actor: `${a.actorRole}:${a.actorSubject}`, detail: a.detail })),
        ].sort((a, b) => a.at.getTime() - b.at.getTime());
        return {
          dossierNumber: dossier.dossierNumber,
          ...(deps.temporalUiUrl ? { temporalUiUrl: `${deps.temporalUiUrl}/workflows/${encodeURIComponent(dossier.workflowId)}` } : {}),
          entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })),
          incidents: incidents.map((i) => ({
            id: i.id,
            step: i.step,
            kind: i.kind,
            status: i.status,
            lastError: i.lastError,
            openedAt: i.openedAt.toISOString(),
            resolvedAt: iso(i.resolvedAt),
            decision: i.decision,
          })),
        };
      },
    );

    app.post(
      '/supervision/incidents/decisions',
      {
        preHandler: requirePermission('supervision.act'),
        schema: {
          tags: ['supervision'],
          summary: 'Decide on every open incident matching a filter (e.g. retry all of the police in province 79 after their outage)',
          security,
          body: z.object({
            filter: z.object({
              agency: z.enum(agencyRoles).optional(),
              step: z.enum(stepCodes).optional(),
              group: z.enum(procedureGroups).optional(),
              provinceCode: z.string().regex(/^\d{2}$/).optional(),
              communeCode: z.string().regex(/^\d{5}$/).optional(),
            }),
            incidentIds: z
              .array(z.uuid())
              .max(1000)
              .optional()
              .describe("Only these incidents (a preview's): the decision falls on what the supervisor confirmed, not on incidents opened since"),
            decision: z.enum(['RETRY', 'CANCEL_GROUP']),
            reason,
            limit: z.number().int().min(1).max(1000).default(500),
            dryRun: z.boolean().default(false).describe('Only count what the decision would touch (the preview before a bulk action)'),
          }),
          response: {
            200: bulkDecisionResultSchema,
          },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const { filter, decision, reason, limit, dryRun, incidentIds } = request.body;
        const incidents = await deps.db.incident.findMany({
          where: {
            status: 'OPEN',
            ...(incidentIds ? { id: { in: incidentIds } } : {}),
            ...(filter.agency ? { agency: filter.agency } : {}),
            ...(filter.step ? { step: filter.step } : {}),
            dossier: {
              AND: [
                scopeFilter(principal.jurisdiction),
                filter.group ? { procedureGroup: filter.group } : {},
                filter.provinceCode ? { provinceCode: filter.provinceCode } : {},
                filter.communeCode ? { communeCode: filter.communeCode } : {},
              ],
            },
          },
          include: { dossier: { select: { dossierNumber: true, workflowId: true } } },
          take: limit,
          orderBy: { openedAt: 'asc' },
        });
        const matched = { matched: incidents.length, incidentIds: incidents.map((i) => i.id) };
        if (dryRun) return { ...matched, accepted: 0 };
        const open = incidents.map((incident) => ({ id: incident.id, step: incident.step, ...incident.dossier }));
        await recordBulkDecisions(deps.db, principal, open, { decision, reason }, (incident) => messageId(request, incident.id));
        // Delivered now by this instance's relay, or within a second by any other's.
        deps.signalRelay?.wake();
        return { ...matched, accepted: incidents.length };
      },
    );
  };
}
