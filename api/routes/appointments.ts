import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { officerLateReasonCodes, verificationReasonCodes } from '../../domain/appointment-changes';
import type { StepCode } from '../../domain/procedures';
import { toVietnamDate, type WorkingCalendar } from '../../domain/working-days';
import { declareVerificationUpdate, issueApologyUpdate, type AppointmentChanged } from '../../workflows/contract';
import { audit } from '../audit';
import type { Principal } from '../../domain/principal';
import { requirePermission } from '../auth/plugin';
import { messageId } from '../idempotency';
import { problemResponses, ProblemError } from '../problem';
import { idParams as params, security } from '../schemas';
import { taskFor, type TaskDependencies } from '../task-inbox';
import { updateDossierWorkflow } from '../workflow-messages';

export type AppointmentRouteDependencies = TaskDependencies & { calendar: WorkingCalendar };

const changeSchema = z.object({
  dossierNumber: z.string(),
  kind: z.enum(['APOLOGY', 'VERIFICATION']),
  /** The apology's number for this dossier (1, 2…); 1 for the verification. */
  ordinal: z.number().int(),
  appointmentAt: z.iso.datetime().describe('The new appointment date: end of office hours of that working day'),
});
const reasonText = z.string().trim().min(3, 'say why, in a few words').max(500, 'too long').optional().describe("The officer's own words, shown to staff only");
const tags = ['tasks'];

/** The instant a working day's appointment passes: end of its office hours, as the calendar counts a one-day deadline. */
function endOfOfficeHours(calendar: WorkingCalendar, date: string): Date {
  return calendar.dueAt(new Date(`${date}T08:00:00+07:00`), 1);
}

/** A new appointment the citizen can keep: a working day, after today. Refusals name the field. */
function checkNewDate(calendar: WorkingCalendar, date: string, now = new Date()): Date {
  const invalid = (reason: string) => new ProblemError(400, 'Invalid request', `the new appointment date ${reason}`, [{ field: 'body.newDate', reason }]);
  let working: boolean;
  try {
    working = calendar.isWorkingDay(date);
  } catch {
    throw invalid('is not a date of the calendar');
  }
  if (date <= toVietnamDate(now)) throw invalid('is not after today');
  if (!working) throw invalid('is not a working day');
  return endOfOfficeHours(calendar, date);
}

/**
 * Nghị định 63 Điều 7.2–7.3, from the task of the agency responsible: an apology for a late dossier
 * with a new appointment date, and the declaration that the dossier needs verification (the group's
 * limit extended once). The workflow decides and records: a second apology for the same lateness, a
 * second verification or a group that has ended is its 409. Audited once recorded.
 */
export function appointmentRoutes(deps: AppointmentRouteDependencies): FastifyPluginAsyncZod {
  return async (app) => {
    const answer = async (request: FastifyRequest, action: string, dossierNumber: string, kind: 'APOLOGY' | 'VERIFICATION', changed: AppointmentChanged, detail: object, principal: Principal) => {
      await audit(deps.db, principal, { requestKey: messageId(request), action, dossierNumber, detail: { ...detail, ordinal: changed.ordinal, appointmentAt: new Date(changed.appointmentAt).toISOString() } });
      return { dossierNumber, kind, ordinal: changed.ordinal, appointmentAt: new Date(changed.appointmentAt).toISOString() };
    };

    app.post(
      '/tasks/:id/apology',
      {
        preHandler: requirePermission('task.apologise'),
        schema: {
          tags,
          summary: "Apologise for the dossier's lateness with a new appointment date (phiếu xin lỗi và hẹn lại ngày trả kết quả): told to the citizen by every channel chosen",
          description: 'Only once the appointment date has passed, once per lateness: a second apology only after its new date has passed too.',
          security,
          params,
          body: z.object({
            newDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD').describe('A working day after today'),
            reasonCode: z.enum(officerLateReasonCodes, { error: 'not a reason of the catalogue' }),
            reasonText,
          }),
          response: { 200: changeSchema, ...problemResponses(404, 409) },
        },
      },
      async (request) => {
        const { task, principal } = await taskFor(deps.db, request, request.params.id, 'task.apologise');
        const { newDate, reasonCode, reasonText: text } = request.body;
        const newDueAt = checkNewDate(deps.calendar, newDate);
        const dossier = await deps.db.dossier.findUniqueOrThrow({ where: { id: task.dossierId }, select: { workflowId: true } });
        const changed = await updateDossierWorkflow(
          deps.temporal,
          dossier.workflowId,
          issueApologyUpdate,
          { agency: task.agency, step: task.step as StepCode, newDueAt: newDueAt.getTime(), reasonCode, ...(text ? { reasonText: text } : {}), issuedBy: principal.subject },
          messageId(request),
        );
        return answer(request, 'task.apologise', task.dossier.dossierNumber, 'APOLOGY', changed, { taskId: task.id, step: task.step, reasonCode }, principal);
      },
    );

    app.post(
      '/tasks/:id/verification',
      {
        preHandler: requirePermission('task.declareVerification'),
        schema: {
          tags,
          summary: "Declare that the dossier needs verification: the group's limit is extended (once per group) and the citizen told the new appointment date",
          security,
          params,
          body: z.object({ reasonCode: z.enum(verificationReasonCodes, { error: 'not a reason of the catalogue' }), reasonText }),
          response: { 200: changeSchema, ...problemResponses(404, 409) },
        },
      },
      async (request) => {
        const { task, principal } = await taskFor(deps.db, request, request.params.id, 'task.declareVerification');
        const { reasonCode, reasonText: text } = request.body;
        const dossier = await deps.db.dossier.findUniqueOrThrow({ where: { id: task.dossierId }, select: { workflowId: true } });
        const changed = await updateDossierWorkflow(
          deps.temporal,
          dossier.workflowId,
          declareVerificationUpdate,
          { agency: task.agency, step: task.step as StepCode, reasonCode, ...(text ? { reasonText: text } : {}), issuedBy: principal.subject },
          messageId(request),
        );
        return answer(request, 'task.declareVerification', task.dossier.dossierNumber, 'VERIFICATION', changed, { taskId: task.id, step: task.step, reasonCode }, principal);
      },
    );
  };
}
