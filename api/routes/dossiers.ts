import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, roleMayPerform } from '../../domain/authorization';
import { intakeSubmissionSchema, type Intake } from '../../domain/intake';
import type { Principal } from '../../domain/principal';
import { receiptCodeFormat } from '../../domain/receipt-code';
import { receiptSlip } from '../../domain/receipt-slip';
import { stepCodes } from '../../domain/procedures';
import { cancelRegistrationUpdate, provideSupplementUpdate, withdrawUpdate } from '../../workflows/contract';
import { audit } from '../audit';
import { checkStepDocuments } from '../catalogue-checks';
import { documentTypeCodes } from '../../domain/catalogues';
import { messageId } from '../idempotency';
import { forbidden, principalOf, requirePermission } from '../auth/plugin';
import { dossierFor } from '../dossier-access';
import { submitIntake, type IntakeDependencies, type IntakeOptions, type IntakeReceipt } from '../dossier-intake';
import { dossierListQuerySchema, dossierListSchema, listDossiers } from '../dossier-list';
import { dossierSearchResultSchema, dossierSearchSchema, searchDossiers } from '../dossier-search';
import { dossierStatusSchema, readDossierStatus } from '../dossier-status';
import { pdfResponse, readStaffResult, sendPdf } from '../dossier-results';
import { resultDocumentKinds } from '../../domain/result-documents';
import { decideIncident } from '../incident-decisions';
import { problemResponses, ProblemError } from '../problem';
import type { ReceiptCodes } from '../receipt-codes';
import { dossierParams as params, reason, security } from '../schemas';
import { updateDossierWorkflow } from '../workflow-messages';

export type DossierRouteDependencies = IntakeDependencies & { temporalUiUrl?: string; receiptCodes: ReceiptCodes };

const receiptCode = z.string().regex(receiptCodeFormat).describe(
  'For the citizen\'s receipt: with the dossier number it opens POST /v1/public/dossier-status. Shown once; only its hash is kept',
);

/** What the printed receipt names besides number and dates (domain/receipt-slip.ts). */
const receiptSlipSchema = z
  .object({
    applicant: z.string().describe('The requester who brought the dossier'),
    office: z.string().describe("The receiving commune's civil-status office, by name"),
    documents: z.array(z.enum(documentTypeCodes)).describe('Documents received, codes of the catalogue (domain/catalogues.ts)'),
  })
  .describe("The receipt's applicant, office and documents received");

export const receiptSchema = z.object({
  dossierId: z.uuid(),
  dossierNumber: z.string(),
  workflowId: z.string(),
  statusUrl: z.string(),
  receiptCode: receiptCode
    .nullable()
    .describe('The receipt code, on the answer that created the dossier only; null on a repeated intake, which keeps the first code (issue a new one with POST /v1/dossiers/{n}/receipt-code)'),
  receivedAt: z.iso.datetime(),
  dueAt: z.iso.datetime().describe('The appointment date for the receipt: when the results are due'),
  slip: receiptSlipSchema,
  workflowStarted: z
    .boolean()
    .describe('false (with 202 Accepted): the dossier is recorded but Temporal was unavailable; its workflow starts automatically, no resubmission needed'),
});
const acceptedSchema = z.object({ dossierNumber: z.string(), accepted: z.literal(true), statusUrl: z.string() });
/** The route's own refusals; those every route shares are declared by declareProblemResponses. */
const onDossier = problemResponses(404, 409);

const statusUrl = (dossierNumber: string) => `/v1/dossiers/${encodeURIComponent(dossierNumber)}`;

/** Files a dossier at a desk that may file for its commune, audited once however often it is sent. */
export async function acceptIntake(
  deps: DossierRouteDependencies,
  principal: Principal,
  intake: Intake,
  options: IntakeOptions = {},
  action: 'dossier.submit' | 'dossier.submitOnline' = 'dossier.submit',
): Promise<IntakeReceipt> {
  const place = intake.jurisdiction;
  if (!authorize(principal, { action, dossier: { ...place, agencies: [] } })) {
    throw forbidden(`a desk of ${principal.subject} may not file dossiers for commune ${place.provinceCode}/${place.communeCode}`);
  }
  const receipt = await submitIntake(deps, intake, options);
  if (receipt.created) await audit(deps.db, principal, { action: 'dossier.submit', dossierNumber: receipt.dossierNumber, afterStatus: 'RECEIVED' });
  return receipt;
}

/** 201 for a new dossier, 200 for a repeat, 202 when it waits for Temporal to start its workflow. */
export function sendReceipt(reply: FastifyReply, receipt: IntakeReceipt, intake: Intake) {
  return reply
    .code(receipt.workflowStarted ? (receipt.created ? 201 : 200) : 202)
    .header('location', statusUrl(receipt.dossierNumber))
    .send({
      dossierId: receipt.dossierId,
      dossierNumber: receipt.dossierNumber,
      workflowId: receipt.workflowId,
      statusUrl: statusUrl(receipt.dossierNumber),
      receiptCode: receipt.receiptCode,
      receivedAt: receipt.receivedAt.toISOString(),
      dueAt: receipt.dueAt.toISOString(),
      slip: receiptSlip(intake),
      workflowStarted: receipt.workflowStarted,
    });
}

export function dossierRoutes(deps: DossierRouteDependencies): FastifyPluginAsyncZod {
  return async (app) => {
    const accepted = (dossierNumber: string) => ({ dossierNumber, accepted: true as const, statusUrl: statusUrl(dossierNumber) });

    app.post(
      '/dossiers',
      {
        preHandler: requirePermission('dossier.submit'),
        schema: {
          tags: ['dossiers'],
          summary: 'Submit a procedure group dossier (idempotent on the dossier number)',
          security,
          body: intakeSubmissionSchema,
          response: { 200: receiptSchema, 201: receiptSchema, 202: receiptSchema, ...problemResponses(409) },
        },
      },
      async (request, reply) => sendReceipt(reply, await acceptIntake(deps, principalOf(request), request.body), request.body),
    );

    app.post(
      '/dossiers/:dossierNumber/receipt-code',
      {
        // The desk that files a dossier hands out its receipt: the same permission as the intake.
        preHandler: requirePermission('dossier.submit'),
        schema: {
          tags: ['dossiers'],
          summary: 'Issue a new receipt code (a lost or reprinted receipt, a dossier received before codes): the previous code stops working',
          description: 'Not replayed under an Idempotency-Key: the code is kept nowhere but as a hash, so a repeated call issues another code.',
          security,
          params,
          response: { 201: z.object({ dossierNumber: z.string(), receiptCode, issuedAt: z.iso.datetime(), slip: receiptSlipSchema }), ...problemResponses(404) },
        },
      },
      async (request, reply) => {
        const { dossier, principal } = await dossierFor(deps.db, request, request.params.dossierNumber, 'dossier.submit');
        const issued = deps.receiptCodes.issue(dossier.dossierNumber);
        const issuedAt = new Date();
        // The new hash and its audit entry together: never a code replaced without a trace.
        await deps.db.$transaction(async (tx) => {
          await tx.dossier.update({ where: { id: dossier.id }, data: { receiptCodeHash: issued.hash, receiptCodeIssuedAt: issuedAt } });
          await audit(tx, principal, { action: 'dossier.issueReceiptCode', dossierNumber: dossier.dossierNumber, detail: { replaced: dossier.receiptCodeHash !== null } });
        });
        return reply.code(201).send({ dossierNumber: dossier.dossierNumber, receiptCode: issued.code, issuedAt: issuedAt.toISOString(), slip: receiptSlip(dossier.intake as unknown as Intake) });
      },
    );

    app.get(
      '/dossiers',
      {
        preHandler: requirePermission('dossier.read'),
        schema: {
          tags: ['dossiers'],
          summary: "The dossiers I may read (a clerk: my commune's): active first, most overdue on top; searchable by number",
          security,
          querystring: dossierListQuerySchema,
          response: { 200: dossierListSchema },
        },
      },
      async (request) => listDossiers(deps.db, principalOf(request), request.query),
    );

    app.post(
      '/dossiers/search',
      {
        preHandler: requirePermission('dossier.read'),
        schema: {
          tags: ['dossiers'],
          summary: "The dossiers I may read, by the child's or deceased's name (in the body: never in a URL) and the list's filters; names masked for supervisors",
          security,
          body: dossierSearchSchema,
          response: { 200: dossierSearchResultSchema },
        },
      },
      async (request) => searchDossiers(deps.db, principalOf(request), request.body),
    );

    app.get(
      '/dossiers/:dossierNumber',
      {
        preHandler: requirePermission('dossier.read'),
        schema: {
          tags: ['dossiers'],
          summary: "A dossier's status: every step's state, result, supplement, compensation and timestamps",
          security,
          params,
          response: { 200: dossierStatusSchema, ...problemResponses(404) },
        },
      },
      async (request) => {
        await dossierFor(deps.db, request, request.params.dossierNumber, 'dossier.read');
        const announcements = roleMayPerform(principalOf(request).role, 'dossier.readAnnouncements');
        return (await readDossierStatus(deps.db, request.params.dossierNumber, { temporalUiUrl: deps.temporalUiUrl, calendar: deps.calendar, announcements }))!;
      },
    );

    app.get(
      '/dossiers/:dossierNumber/results/:document',
      {
        preHandler: requirePermission('dossier.read'),
        schema: {
          tags: ['dossiers'],
          summary: "A dossier's electronic results in full, as a PDF: the registration extract (with the ID and card numbers) or the receipt, to print or hand over",
          security,
          params: params.extend({ document: z.enum(resultDocumentKinds) }),
          response: { 200: pdfResponse, ...problemResponses(404, 409) },
        },
      },
      async (request, reply) => {
        await dossierFor(deps.db, request, request.params.dossierNumber, 'dossier.read');
        return sendPdf(reply, await readStaffResult(deps.db, request.params.dossierNumber, request.params.document));
      },
    );

    /** Stopping a group: the workflow compensates what was done; the call is audited. */
    const stopRoute = (
      path: string,
      permission: 'dossier.withdraw' | 'supervision.act',
      update: typeof withdrawUpdate,
      outcome: { action: string; afterStatus: 'WITHDRAWN' | 'CANCELLED'; tag: string; summary: string },
    ) =>
      app.post(
        `/dossiers/:dossierNumber/${path}`,
        {
          preHandler: requirePermission(permission),
          schema: { tags: [outcome.tag], summary: outcome.summary, security, params, body: z.object({ reason }), response: { 202: acceptedSchema, ...onDossier } },
        },
        async (request, reply) => {
          const { dossier, principal } = await dossierFor(deps.db, request, request.params.dossierNumber, permission);
          await updateDossierWorkflow(deps.temporal, dossier.workflowId, update, { reason: request.body.reason, requestedBy: principal.subject }, messageId(request));
          await audit(deps.db, principal, { requestKey: messageId(request),
            action: outcome.action,
            dossierNumber: dossier.dossierNumber,
            beforeStatus: dossier.status,
            afterStatus: outcome.afterStatus,
            detail: { reason: request.body.reason },
          });
          return reply.code(202).send(accepted(dossier.dossierNumber));
        },
      );

    stopRoute('withdrawal', 'dossier.withdraw', withdrawUpdate, {
      action: 'dossier.withdraw',
      afterStatus: 'WITHDRAWN',
      tag: 'dossiers',
      summary: 'The citizen withdraws the dossier: acts already done are undone (compensated)',
    });
    stopRoute('registration-cancellation', 'supervision.act', cancelRegistrationUpdate, {
      action: 'dossier.cancelRegistration',
      afterStatus: 'CANCELLED',
      tag: 'supervision',
      summary: 'The birth or death registration proved invalid (e.g. a duplicate): undo every act of the group',
    });

    app.post(
      '/dossiers/:dossierNumber/supplements',
      {
        preHandler: requirePermission('dossier.supplement'),
        schema: {
          tags: ['dossiers'],
          summary: 'Bring the documents an agency asked for; the waiting step resumes',
          security,
          params,
          body: z.object({
            step: z.enum(stepCodes),
            documents: z
              .array(z.enum(documentTypeCodes, { error: 'not a document of the catalogue' }))
              .min(1)
              .max(20)
              .describe('Codes of the document catalogue (domain/catalogues.ts), each one the step takes'),
            note: z.string().max(1000).optional(),
          }),
          response: { 202: acceptedSchema, ...onDossier },
        },
      },
      async (request, reply) => {
        const { dossier, principal } = await dossierFor(deps.db, request, request.params.dossierNumber, 'dossier.supplement');
        const { step, documents, note } = request.body;
        checkStepDocuments(step, documents);
        await updateDossierWorkflow(deps.temporal, dossier.workflowId, provideSupplementUpdate, { step, documents, ...(note ? { note } : {}) }, messageId(request));
        await audit(deps.db, principal, { requestKey: messageId(request), action: 'dossier.supplement', dossierNumber: dossier.dossierNumber, detail: { step, documents: documents.length } });
        return reply.code(202).send(accepted(dossier.dossierNumber));
      },
    );

    app.post(
      '/dossiers/:dossierNumber/incidents/:step/decision',
      {
        preHandler: requirePermission('supervision.act'),
        schema: {
          tags: ['supervision'],
          summary: "Decide on a parked step or compensation: retry now, skip (optional steps), or cancel the group",
          security,
          params: params.extend({ step: z.enum(stepCodes) }),
          body: z.object({
            decision: z.enum(['RETRY', 'SKIP', 'CANCEL_GROUP']),
            reason,
            incidentId: z.uuid().optional().describe("The incident decided on (the timeline's id); default: the step's open incident"),
          }),
          response: { 202: acceptedSchema, ...onDossier },
        },
      },
      async (request, reply) => {
        const { dossier, principal } = await dossierFor(deps.db, request, request.params.dossierNumber, 'supervision.act');
        const { decision, reason: why } = request.body;
        const { step } = request.params;
        // Bound to one incident: a decision never falls on a newer incident of the same step.
        const open = await deps.db.incident.findFirst({ where: { dossierId: dossier.id, step, status: 'OPEN', ...(request.body.incidentId ? { id: request.body.incidentId } : {}) } });
        if (!open) throw new ProblemError(409, 'Not possible now', `step ${step} has no open incident${request.body.incidentId ? ` ${request.body.incidentId}` : ''}`);
        await decideIncident(deps, principal, { id: open.id, step, dossierNumber: dossier.dossierNumber, workflowId: dossier.workflowId }, { decision, reason: why }, messageId(request));
        return reply.code(202).send(accepted(dossier.dossierNumber));
      },
    );
  };
}
