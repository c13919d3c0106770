import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { intakeSubmissionSchema } from '../../domain/intake';
import { portalIdentityIssues } from '../../domain/portal-identity';
import { principalOf, requirePermission } from '../auth/plugin';
import { problemResponses, ProblemError } from '../problem';
import { security } from '../schemas';
import { acceptIntake, receiptSchema, sendReceipt, type DossierRouteDependencies } from './dossiers';

/**
 * The online channel (Nghị định 63/2024 Điều 6–7): the national public service portal / VNeID files a
 * birth or death dossier for the citizen its token vouches for. The same intake as the desk's (schema,
 * jurisdiction, idempotency on the dossier number, which is the portal's dossier code); the portal then
 * receives every status change at PORTAL_URL (api/portal-outbox.ts).
 */
export function portalRoutes(deps: DossierRouteDependencies): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/portal/dossiers',
      {
        preHandler: requirePermission('dossier.submitOnline'),
        schema: {
          tags: ['online channel'],
          summary: "Submit a dossier filed on the national public service portal or in VNeID (idempotent on the portal's dossier code)",
          description:
            "The token is the portal's (role PORTAL, national scope) with a `citizen` claim: the personal ID number, full name and VNeID level (2 required) of the citizen it files for. The body's requester must be that citizen (403 naming the field otherwise). `dossierNumber` is the portal's dossier code: the same code with the same content answers as the first time, with other content 409. Every status change is then POSTed to the portal (see the README, \"The online channel\").",
          security,
          body: intakeSubmissionSchema,
          response: { 200: receiptSchema, 201: receiptSchema, 202: receiptSchema, ...problemResponses(403, 409) },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const issues = portalIdentityIssues(principal.citizen, request.body);
        if (issues.length > 0) throw new ProblemError(403, 'Forbidden', 'the requester is not the citizen the portal vouches for', issues);
        const receipt = await acceptIntake(deps, principal, request.body, { portalCode: request.body.dossierNumber }, 'dossier.submitOnline');
        return sendReceipt(reply, receipt, request.body);
      },
    );
  };
}
