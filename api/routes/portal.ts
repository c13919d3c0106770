import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intakeSubmissionSchema } from '../../domain/intake';
import { portalIdentityIssues } from '../../domain/portal-identity';
import type { Config } from '../../runtime/config';
import { Prisma } from '../../runtime/database';
import type { PeriodicJob } from '../../runtime/periodic';
import { auditAll } from '../audit';
import { principalOf, requirePermission } from '../auth/plugin';
import { messageId } from '../idempotency';
import { portalStatusMessageId, troubledPortalMessagesSql } from '../portal-outbox';
import { problemResponses, ProblemError } from '../problem';
import { reason, security } from '../schemas';
import { scopeSql } from '../stuck-dossiers';
import { acceptIntake, receiptSchema, sendReceipt, type DossierRouteDependencies } from './dossiers';

/**
 * The contract of the messages back, in the OpenAPI document: a callback of the submission (OpenAPI
 * 3.0 has no webhooks), its body the `PortalStatusMessage` component.
 */
const statusCallback = {
  statusChange: {
    '{PORTAL_URL}/statuses': {
      post: {
        requestBody: {
          required: true,
          description: 'Each status change of the dossier, in sequence order, with the header `Idempotency-Key: <messageKey>`',
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${portalStatusMessageId}` } } },
        },
        responses: {
          '2XX': { description: 'Taken (a key already seen too): the message is closed as delivered' },
          '4XX': { description: 'Refused (but 408 and 429): closed as REJECTED with the status, never sent again unless a supervisor re-queues it' },
          '5XX': { description: 'An outage (as are 408, 429 and no answer within PORTAL_TIMEOUT_MS): sent again, waiting up to a minute between tries' },
        },
      },
    },
  },
};

const retryAnswerSchema = z.object({
  requeued: z.number().int().describe('Messages put back to be sent at once, in sequence order per dossier'),
  rejected: z.number().int().describe('Of them, refused by the portal before'),
  failing: z.number().int().describe('Of them, failing after PORTAL_MAX_ATTEMPTS sends or more'),
  dossiers: z.number().int().describe('Dossiers they belong to (one audit entry each)'),
});

/**
 * The online channel (Nghị định 63/2024 Điều 6–7): the national public service portal / VNeID files a
 * birth or death dossier for the citizen its token vouches for. The same intake as the desk's (schema,
 * jurisdiction, idempotency on the dossier number, which is the portal's dossier code); the portal then
 * receives every status change at PORTAL_URL (api/portal-outbox.ts), and supervisors send again what
 * it refused or could not take.
 */
export function portalRoutes(
  deps: DossierRouteDependencies & { config: Pick<Config, 'PORTAL_MAX_ATTEMPTS'>; signalRelay?: Pick<PeriodicJob, 'wake'> | undefined },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/portal/dossiers',
      {
        preHandler: requirePermission('dossier.submitOnline'),
        schema: {
          tags: ['online channel'],
          summary: "Submit a dossier filed on the national public service portal or in VNeID (idempotent on the portal's dossier code)",
          description:
            "The token is the portal's (role PORTAL, national scope) with a `citizen` claim: the personal ID number, full name and VNeID level (2 required) of the citizen it files for. The body's requester must be that citizen (403 naming the field otherwise). `dossierNumber` is the portal's dossier code: the same code with the same content answers as the first time, with other content 409. Every status change is then POSTed to the portal as a `PortalStatusMessage` (the `statusChange` callback; see the README, \"The online channel\").",
          security,
          body: intakeSubmissionSchema,
          response: { 200: receiptSchema, 201: receiptSchema, 202: receiptSchema, ...problemResponses(403, 409) },
          callbacks: statusCallback,
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

    app.post(
      '/supervision/portal-messages/retry',
      {
        preHandler: requirePermission('supervision.act'),
        schema: {
          tags: ['online channel', 'supervision'],
          summary: 'Send again the status messages the portal refused or that keep failing, for the dossiers of my scope',
          description:
            "The messages the summary counts as `portalUndelivered`: each goes back to the outbox with its attempts counted afresh and is sent at once, in sequence order per dossier, under its own key (the portal drops one it has already taken). One audit entry per dossier. Send an Idempotency-Key: a repeat answers as the first.",
          security,
          body: z.object({ reason }),
          response: { 200: retryAnswerSchema },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const inScope = Prisma.join([Prisma.sql`TRUE`, ...scopeSql(principal.jurisdiction)], ' AND ');
        const requeued = await deps.db.$transaction(async (tx) => {
          // A message the relay holds right now is being sent already: left to it.
          const rows = await tx.$queryRaw<{ dossierNumber: string; sequence: number; was: string | null }[]>`
            WITH troubled AS (
              SELECT id, outcome FROM portal_status_outbox
              WHERE ${troubledPortalMessagesSql(deps.config.PORTAL_MAX_ATTEMPTS)} AND dossier_id IN (SELECT id FROM dossier WHERE ${inScope})
              ORDER BY id LIMIT 10000
              FOR UPDATE SKIP LOCKED
            )
            UPDATE portal_status_outbox o
            SET delivered_at = NULL, outcome = NULL, attempts = 0, next_attempt_at = now()
            FROM troubled t WHERE o.id = t.id
            RETURNING (SELECT dossier_number FROM dossier d WHERE d.id = o.dossier_id) AS "dossierNumber", o.sequence, t.outcome AS was`;
          const byDossier = new Map<string, typeof rows>();
          for (const row of rows) byDossier.set(row.dossierNumber, [...(byDossier.get(row.dossierNumber) ?? []), row]);
          await auditAll(
            tx,
            principal,
            [...byDossier].map(([dossierNumber, messages]) => ({
              action: 'portal.requeueMessages',
              dossierNumber,
              detail: { reason: request.body.reason, sequences: messages.map((m) => m.sequence).sort((a, b) => a - b), rejected: messages.filter((m) => m.was === 'REJECTED').length },
              requestKey: messageId(request, dossierNumber),
            })),
          );
          return { rows, dossiers: byDossier.size };
        });
        // Sent now by this instance's relay, or within a second by any other's.
        if (requeued.rows.length > 0) deps.signalRelay?.wake();
        const rejected = requeued.rows.filter((r) => r.was === 'REJECTED').length;
        return { requeued: requeued.rows.length, rejected, failing: requeued.rows.length - rejected, dossiers: requeued.dossiers };
      },
    );
  };
}
