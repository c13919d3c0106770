import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { searchAttributes } from '../../workflows/contract';
import { recordBulkDecisions } from '../incident-decisions';
import type { PeriodicJob } from '../../runtime/periodic';
import type { Config } from '../../runtime/config';
import { messageId } from '../idempotency';
import { principalOf, requirePermission } from '../auth/plugin';
import { dossierFor } from '../dossier-access';
import type { DossierRouteDependencies } from './dossiers';
import { problemResponses } from '../problem';
import { dossierParams, iso, reason, security, timestamp } from '../schemas';
import { filterSchema, listStuckDossiers, owedStepStatuses } from '../stuck-dossiers';
import { groupIncidents, incidentFilterSchema, incidentGroupSchema, openIncidents } from '../open-incidents';
import { stoppingSchema } from '../stopping-dossiers';
import { incidentErrorTypes } from '../../domain/incident-errors';
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
  /** What each matched incident is: the preview lists them. */
  incidents: z.array(z.object({ id: z.uuid(), dossierNumber: z.string(), step: z.string(), agency: z.string(), kind: z.string(), errorType: z.enum(incidentErrorTypes), openedAt: z.iso.datetime() })),
});
export type Timeline = z.infer<typeof timelineSchema>;
export type BulkDecisionResult = z.infer<typeof bulkDecisionResultSchema>;


/** Supervisors: what is stuck, overdue or failing, and acting on it in bulk after an outage. */
export function supervisionRoutes(
  deps: DossierRouteDependencies & { config: Pick<Config, 'PORTAL_MAX_ATTEMPTS'>; signalRelay?: Pick<PeriodicJob, 'wake'> | undefined },
): FastifyPluginAsyncZod {
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
                  stopping: stoppingSchema,
                  provinceCode: z.string(),
                  communeCode: z.string(),
                  receivedAt: z.string(),
                  dueAt: z.string(),
                  overdue: z.boolean(),
                  openSteps: z
                    .array(z.object({ step: z.string(), agency: z.string(), status: z.enum(owedStepStatuses), since: timestamp }))
                    .describe('What the dossier owes now and since when: open steps (an incident of any kind parks its step), and acts of a stopped group still to undo'),
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
      '/supervision/incident-groups',
      {
        preHandler: requirePermission('supervision.read'),
        schema: {
          tags: ['supervision'],
          summary: 'Open incidents of my scope grouped by error type, agency and step, with counts: each group is retried in bulk through /supervision/incidents/decisions with its errorType, agency and step',
          security,
          querystring: incidentFilterSchema,
          response: { 200: z.object({ total: z.number().int(), groups: z.array(incidentGroupSchema) }) },
        },
      },
      async (request) => {
        const incidents = await openIncidents(deps.db, principalOf(request), request.query);
        return { total: incidents.length, groups: groupIncidents(incidents) };
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
      async (request) => supervisionSummary(deps.db, principalOf(request).jurisdiction, new Date(), { portalMaxAttempts: deps.config.PORTAL_MAX_ATTEMPTS }),
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
            filter: incidentFilterSchema.describe("The stuck list's filter (and an error type): the incidents of the dossiers it lists, at its agency and step"),
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
        const incidents = await openIncidents(deps.db, principal, filter, { limit, ...(incidentIds ? { ids: incidentIds } : {}) });
        const matched = { matched: incidents.length, incidentIds: incidents.map((i) => i.id), incidents: incidents.map(({ workflowId: _, ...item }) => item) };
        if (dryRun) return { ...matched, accepted: 0 };
        const open = incidents.map(({ id, step, dossierNumber, workflowId }) => ({ id, step, dossierNumber, workflowId }));
        await recordBulkDecisions(deps.db, principal, open, { decision, reason }, (incident) => messageId(request, incident.id));
        // Delivered now by this instance's relay, or within a second by any other's.
        deps.signalRelay?.wake();
        return { ...matched, accepted: incidents.length };
      },
    );
  };
}
