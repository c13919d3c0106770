import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requirePermission } from '../auth/plugin';
import { dossierFor } from '../dossier-access';
import { dossierMapSchema, readDossierMap } from '../dossier-map';
import { liveActivities } from '../pending-activities';
import { problemResponses, ProblemError } from '../problem';
import { dossierParams as params, security } from '../schemas';
import type { DossierRouteDependencies } from './dossiers';

/**
 * The live retry data is a help, not the page: a Temporal that does not answer costs the map at most
 * this long, then the map is drawn from the database alone.
 */
const LIVE_DATA_TIMEOUT_MS = 2_500;

/** A dossier's map for whoever may read the dossier: its steps as a graph, their attempts, incidents and undo. */
export function dossierMapRoutes(deps: Pick<DossierRouteDependencies, 'db' | 'temporal'>): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/dossiers/:dossierNumber/map',
      {
        preHandler: requirePermission('dossier.read'),
        schema: {
          tags: ['dossiers'],
          summary: "A dossier's map: the group's steps and dependencies with each step's status, incidents, inbox task, undo and attempts",
          description:
            "Attempts under way (current attempt, last failure, next retry) come from Temporal's pending activities; when Temporal does not answer, the map still comes from the database and live.available is false.",
          security,
          params,
          response: { 200: dossierMapSchema, ...problemResponses(404) },
        },
      },
      async (request) => {
        const { dossier } = await dossierFor(deps.db, request, request.params.dossierNumber, 'dossier.read');
        // A dossier waiting for its workflow's start (Temporal was down at intake) has nothing in Temporal to ask about.
        const live = dossier.workflowStartedAt
          ? await liveActivities(deps.temporal, dossier.workflowId, LIVE_DATA_TIMEOUT_MS)
          : ({ available: false, reason: 'WORKFLOW_NOT_STARTED' } as const);
        if (!live.available && live.reason !== 'WORKFLOW_NOT_STARTED') request.log.warn({ reason: live.reason, err: live.detail }, 'dossier map without live retry data');
        const map = await readDossierMap(deps.db, dossier.dossierNumber, live);
        if (!map) throw new ProblemError(404, 'Dossier not found', `no dossier ${dossier.dossierNumber}`);
        return map;
      },
    );
  };
}
