import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, scopeFilter } from '../../domain/authorization';
import { intakeSubmissionSchema } from '../../domain/intake';
import { vietnamDate } from '../../domain/intake/common';
import { noticePlace, noticePrefill, noticeSchema, type LifeEventNotice } from '../../domain/life-events';
import { audit } from '../audit';
import { forbidden, principalOf, requirePermission } from '../auth/plugin';
import { confirmNotice, receiveNotice } from '../notices';
import type { PeriodicJob } from '../../runtime/periodic';
import { problemResponses, ProblemError } from '../problem';
import { security } from '../schemas';
import { acceptIntake, receiptSchema, sendReceipt, type DossierRouteDependencies } from './dossiers';

const noticeSummarySchema = z.object({
  noticeId: z.uuid(),
  kind: z.enum(['BIRTH', 'DEATH']),
  noticeNumber: z.string(),
  facility: z.string().describe('The health facility that sent the notice'),
  who: z.string().describe("The mother's or the deceased's name, for the desk to recognise the family"),
  eventDate: z.string().describe('Date of the birth or death'),
  limitAt: z.string().describe('End of the legal time limit (60 days from a birth, 15 from a death)'),
  overdue: z.boolean(),
  remindersSent: z.number().int(),
  status: z.enum(['DRAFT', 'CONFIRMED']),
  dossierNumber: z.string().nullable().describe('The dossier the draft became, once confirmed'),
  receivedAt: z.string(),
});
export type NoticeSummary = z.infer<typeof noticeSummarySchema>;
export type NoticeDraft = NoticeSummary & { notice: unknown; prefill: Record<string, unknown> };

const noticeReceiptSchema = z.object({
  noticeId: z.uuid(),
  status: z.enum(['DRAFT', 'CONFIRMED']),
  limitAt: z.string(),
  draftUrl: z.string(),
  timersStarted: z.boolean().describe('false (with 202 Accepted): the draft is recorded; its time-limit reminders start automatically'),
});
const params = z.object({ noticeId: z.uuid() });

/**
 * Health facilities' birth and death notices, the drafts they open at the commune desk, and the
 * family's confirmation that turns a draft into the ordinary procedure group.
 */
export function noticeRoutes(deps: DossierRouteDependencies & { signalRelay?: Pick<PeriodicJob, 'wake'> | undefined }): FastifyPluginAsyncZod {
  return async (app) => {
    const draftUrl = (id: string) => `/v1/notices/${id}`;
    const readable = async (principal: ReturnType<typeof principalOf>, noticeId: string) => {
      const row = await deps.db.lifeEventNotice.findUnique({ where: { id: noticeId }, include: { dossier: { select: { dossierNumber: true } } } });
      // Outside the caller's reach is the same 404 as not there: a desk cannot probe other communes' notices.
      if (!row || !authorize(principal, { action: 'notice.read', notice: row })) throw new ProblemError(404, 'Not found', `no notice ${noticeId}`);
      return row;
    };
    const summary = (row: Awaited<ReturnType<typeof readable>>, now = Date.now()) => {
      const notice = row.notice as unknown as LifeEventNotice;
      return {
        noticeId: row.id,
        kind: notice.kind,
        noticeNumber: row.noticeNumber,
        facility: notice.facility.name,
        who: notice.kind === 'BIRTH' ? notice.mother.fullName : notice.deceased.fullName,
        eventDate: row.eventDate.toISOString().slice(0, 10),
        limitAt: row.limitAt.toISOString(),
        overdue: row.status === 'DRAFT' && row.limitAt.getTime() < now,
        remindersSent: row.remindersSent,
        status: row.status as 'DRAFT' | 'CONFIRMED',
        dossierNumber: row.dossier?.dossierNumber ?? null,
        receivedAt: row.receivedAt.toISOString(),
      };
    };

    app.post(
      '/notices',
      {
        preHandler: requirePermission('notice.submit'),
        schema: {
          tags: ['notices'],
          summary: "A health facility's birth or death notice: opens a draft at the family's commune desk (idempotent on the facility and notice number)",
          security,
          body: noticeSchema,
          response: { 200: noticeReceiptSchema, 201: noticeReceiptSchema, 202: noticeReceiptSchema, ...problemResponses(409) },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const place = noticePlace(request.body);
        if (!authorize(principal, { action: 'notice.submit', notice: place })) {
          throw forbidden(`${principal.subject} may not send notices for commune ${place.provinceCode}/${place.communeCode}`);
        }
        if (request.body.facility.code !== principal.facilityCode) {
          throw new ProblemError(403, 'Forbidden', 'a facility sends its own notices only', [{ field: 'body.facility.code', reason: 'is not the facility of the token' }]);
        }
        const { notice, created, timersStarted } = await receiveNotice(deps, principal, request.body);
        return reply
          .code(timersStarted ? (created ? 201 : 200) : 202)
          .header('location', draftUrl(notice.id))
          .send({ noticeId: notice.id, status: notice.status as 'DRAFT' | 'CONFIRMED', limitAt: notice.limitAt.toISOString(), draftUrl: draftUrl(notice.id), timersStarted });
      },
    );

    app.get(
      '/notices',
      {
        preHandler: requirePermission('notice.read'),
        schema: {
          tags: ['notices'],
          summary: "Drafts opened by notices in my scope (a desk: its commune's), soonest legal limit first; overdue ones for supervisors",
          security,
          querystring: z.object({
            status: z.enum(['DRAFT', 'CONFIRMED']).default('DRAFT'),
            overdue: z.enum(['true', 'false']).optional().describe('Only drafts past (true) or within (false) their legal time limit'),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          }),
          response: { 200: z.object({ notices: z.array(noticeSummarySchema) }) },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const { status, overdue, limit } = request.query;
        const now = new Date();
        const rows = await deps.db.lifeEventNotice.findMany({
          where: {
            ...scopeFilter(principal.jurisdiction),
            status,
            ...(overdue === 'true' ? { limitAt: { lt: now } } : overdue === 'false' ? { limitAt: { gte: now } } : {}),
          },
          include: { dossier: { select: { dossierNumber: true } } },
          orderBy: { limitAt: 'asc' },
          take: limit,
        });
        return { notices: rows.map((row) => summary(row, now.getTime())) };
      },
    );

    app.get(
      '/notices/:noticeId',
      {
        preHandler: requirePermission('notice.read'),
        schema: {
          tags: ['notices'],
          summary: 'A draft: the notice as the facility sent it, and the intake it prefills for the desk',
          security,
          params,
          response: { 200: noticeSummarySchema.extend({ notice: z.unknown(), prefill: z.unknown() }), ...problemResponses(404) },
        },
      },
      async (request) => {
        const row = await readable(principalOf(request), request.params.noticeId);
        const notice = row.notice as unknown as LifeEventNotice;
        return { ...summary(row), notice, prefill: noticePrefill(notice, vietnamDate(row.receivedAt)) };
      },
    );

    app.post(
      '/notices/:noticeId/confirmation',
      {
        preHandler: requirePermission('notice.confirm'),
        schema: {
          tags: ['notices'],
          summary: "The family confirms the draft at the desk: the completed intake becomes the procedure group, linked to its notice",
          security,
          params,
          body: intakeSubmissionSchema,
          response: { 200: receiptSchema, 201: receiptSchema, 202: receiptSchema, ...problemResponses(404, 409, 422) },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const row = await readable(principal, request.params.noticeId);
        if (!authorize(principal, { action: 'notice.confirm', notice: row })) throw forbidden('only the desk of the notice commune confirms its draft');
        // The notice's receipt here vouches that the family's application was under way since then.
        const receipt = await confirmNotice(deps, row, request.body, (intake) => acceptIntake(deps, principal, intake, { vouchedSince: row.receivedAt }));
        await audit(deps.db, principal, { action: 'notice.confirm', dossierNumber: receipt.dossierNumber, detail: { noticeId: row.id }, requestKey: `notice-confirm/${row.id}` });
        deps.signalRelay?.wake();
        return sendReceipt(reply, receipt, request.body);
      },
    );
  };
}
