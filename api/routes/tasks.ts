import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { stepResultSchemas, undoTaskResultSchema } from '../../domain/agency-contract';
import { childCardValidUntil, parseIsoDate } from '../../domain/age';
import { documentTypeCodes, refusalReasonCodes, supplementRequestText, type DocumentType } from '../../domain/catalogues';
import { stepCodes, stepDefinition, type StepCode } from '../../domain/procedures';
import { authorize } from '../../domain/authorization';
import { audit } from '../audit';
import { checkStepDocuments } from '../catalogue-checks';
import { messageId } from '../idempotency';
import { checkEnteredIdentifiers } from '../issued-identifiers';
import { principalOf, requirePermission } from '../auth/plugin';
import { problemResponses, ProblemError } from '../problem';
import { changeHolder, decideTask, inboxWhere, taskFor, taskInclude, taskInput, type LoadedTask, type TaskDependencies } from '../task-inbox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../domain/principal';
import type { StepOutcome, UndoOutcome } from '../../domain/task-outcomes';
import type { TaskClaim } from '../../workflows/contract';
import { openTaskStatuses, taskKinds, taskStatuses } from '../../domain/statuses';
import { idParams as params, iso, reason, security, timestamp } from '../schemas';

const taskSchema = z.object({
  id: z.uuid(),
  dossierNumber: z.string(),
  step: z.string(),
  title: z.string(),
  round: z.number().int(),
  kind: z.enum(taskKinds),
  agency: z.string(),
  jurisdiction: z.object({ provinceCode: z.string(), communeCode: z.string() }),
  status: z.enum(taskStatuses),
  claimedBy: z.string().nullable(),
  claimedAt: timestamp,
  dueAt: z.iso.datetime(),
  overdue: z.boolean(),
  createdAt: z.iso.datetime(),
  completedBy: z.string().nullable(),
  completedAt: timestamp,
  outcome: z.enum(['COMPLETED', 'REFUSED', 'SUPPLEMENT_REQUESTED']).nullable(),
  /** A decision recorded but not yet taken by the procedure group (the workflow service was unreachable): it will be, with no action needed. */
  decisionPending: z.boolean(),
  /** The latest decision on this still open task, which the procedure group did not take (decided meanwhile, no longer awaited, or its data refused). */
  decisionRefused: z.object({ decidedBy: z.string(), decidedAt: z.iso.datetime(), reason: z.string() }).nullable(),
});
const taskDetailSchema = taskSchema.extend({
  /** What the agency's system would have received, or for an undo `{ act }`, the act's result: the data to decide on (personal data). */
  input: z.unknown(),
});
const pageSchema = z.object({
  items: z.array(taskSchema),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
  /** The whole inbox at a glance, whatever the filter: open, claimed, overdue, and claimed by me. */
  counts: z.object({ open: z.number().int(), claimed: z.number().int(), overdue: z.number().int(), mine: z.number().int() }),
});
export type TaskView = z.infer<typeof taskSchema>;
export type TaskDetail = z.infer<typeof taskDetailSchema>;
export type TaskPage = z.infer<typeof pageSchema>;

/** The task's own refusals; those every route shares are declared by declareProblemResponses. */
const onTask = problemResponses(404, 409);
const claimFirst = 'An officer (AGENCY_OFFICER) decides a task they hold: an unclaimed task is a 409 until claimed. An agency system decides without claiming.';
const tags = ['tasks'];

function view(task: LoadedTask, now = new Date()): z.infer<typeof taskSchema> {
  const title = stepDefinition(task.dossier.procedureGroup, task.step as StepCode, task.dossier.definitionVersion).title;
  const outcome = (task.outcome as { status?: 'COMPLETED' | 'REFUSED' | 'SUPPLEMENT_REQUESTED' } | null)?.status ?? null;
  const open = (openTaskStatuses as readonly string[]).includes(task.status);
  const latest = task.decisions[0];
  return {
    id: task.id,
    dossierNumber: task.dossier.dossierNumber,
    step: task.step,
    title,
    round: task.round,
    kind: task.kind,
    agency: task.agency,
    jurisdiction: { provinceCode: task.provinceCode, communeCode: task.communeCode },
    status: task.status,
    claimedBy: task.claimedBy,
    claimedAt: iso(task.claimedAt),
    dueAt: task.dueAt.toISOString(),
    overdue: open && task.dueAt < now,
    createdAt: task.createdAt.toISOString(),
    completedBy: task.completedBy,
    completedAt: iso(task.completedAt),
    outcome,
    // Recorded by the workflow before the relay closed its row: no longer pending for anyone.
    decisionPending: open && latest !== undefined && latest.deliveredAt === null,
    decisionRefused:
      open && latest?.outcomeOfDelivery && latest.outcomeOfDelivery !== 'DELIVERED'
        ? { decidedBy: latest.decidedBy, decidedAt: latest.recordedAt.toISOString(), reason: latest.lastError ?? latest.outcomeOfDelivery }
        : null,
  };
}

/**
 * The agency task inbox: manual steps worked by officers. An officer sees and acts on its own
 * agency's tasks in its jurisdiction only; supervisors read the tasks in their scope. Every
 * state-changing call is written to the audit log.
 */
export function taskRoutes(deps: TaskDependencies): FastifyPluginAsyncZod {
  /** The child's card is valid until the day the law gives for the child's birth date (Luật BHYT Điều 16), never another. */
  const checkCardValidity = async (task: LoadedTask, result: { validUntil: string }) => {
    const born = (await taskInput(deps.db, task) as { dateOfBirth?: string } | null)?.dateOfBirth;
    if (!born) return;
    const lawful = childCardValidUntil(parseIsoDate(born));
    if (result.validUntil !== lawful) {
      throw new ProblemError(400, 'Invalid request', 'the card\'s validity is not the one the law gives', [
        { field: 'body.result.validUntil', reason: `the card of a child born ${born} is valid until ${lawful}` },
      ]);
    }
  };

  return async (app) => {
    const include = taskInclude;
    const reload = async (id: string) => view(await deps.db.agencyTask.findUniqueOrThrow({ where: { id }, include }));

    app.get(
      '/tasks',
      {
        preHandler: requirePermission('task.list'),
        schema: {
          tags,
          summary: "My inbox: the tasks of my agency in my jurisdiction (a supervisor's: every task in its scope), soonest due first",
          security,
          querystring: z.object({
            step: z.enum(stepCodes).optional(),
            kind: z.enum(taskKinds).optional(),
            status: z.enum(taskStatuses).optional().describe('default: open tasks (OPEN and CLAIMED)'),
            overdue: z.enum(['true', 'false']).optional(),
            dossierNumber: z.string().max(100).optional(),
            mine: z.enum(['true']).optional().describe('only the tasks I hold'),
            page: z.coerce.number().int().min(1).default(1),
            pageSize: z.coerce.number().int().min(1).max(100).default(20),
          }),
          response: { 200: pageSchema },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const { step, kind, status, overdue, dossierNumber, mine, page, pageSize } = request.query;
        const now = new Date();
        // The open inbox, for the counts; the filter narrows it (or, with a status, looks beyond it).
        const inbox = { ...inboxWhere(principal), status: { in: [...openTaskStatuses] } };
        const where = {
          ...inbox,
          ...(mine ? { claimedBy: principal.subject } : {}),
          ...(status ? { status } : {}),
          ...(step ? { step } : {}),
          ...(kind ? { kind } : {}),
          ...(dossierNumber ? { dossier: { dossierNumber } } : {}),
          ...(overdue === 'true' ? { dueAt: { lt: now } } : overdue === 'false' ? { dueAt: { gte: now } } : {}),
        };
        const [total, rows, byStatus, late, held] = await Promise.all([
          deps.db.agencyTask.count({ where }),
          deps.db.agencyTask.findMany({ where, include, orderBy: [{ dueAt: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }], skip: (page - 1) * pageSize, take: pageSize }),
          deps.db.agencyTask.groupBy({ by: ['status'], where: inbox, _count: { _all: true } }),
          deps.db.agencyTask.count({ where: { ...inbox, dueAt: { lt: now } } }),
          deps.db.agencyTask.count({ where: { ...inbox, claimedBy: principal.subject } }),
        ]);
        const countOf = (s: string) => byStatus.find((b) => b.status === s)?._count._all ?? 0;
        return { items: rows.map((t) => view(t, now)), page, pageSize, total, counts: { open: countOf('OPEN'), claimed: countOf('CLAIMED'), overdue: late, mine: held } };
      },
    );

    app.get(
      '/tasks/:id',
      {
        preHandler: requirePermission('task.list'),
        schema: { tags, summary: 'One task, with the data to decide on', security, params, response: { 200: taskDetailSchema, ...problemResponses(404) } },
      },
      async (request) => {
        const { task } = await taskFor(deps.db, request, request.params.id, 'task.list');
        return { ...(await reload(task.id)), input: await taskInput(deps.db, task) };
      },
    );

    /** A change of holder, asked of the workflow; audited once it is recorded. */
    const changeOfHolder = async (request: FastifyRequest, task: LoadedTask, principal: Principal, claim: Pick<TaskClaim, 'action' | 'holder'>, detail: object = {}) => {
      await changeHolder(deps, task, { ...claim, by: principal.subject }, messageId(request));
      const action = { CLAIM: 'task.claim', RELEASE: 'task.unclaim', ASSIGN: 'task.reassign' }[claim.action];
      await audit(deps.db, principal, {
        requestKey: messageId(request),
        action,
        dossierNumber: task.dossier.dossierNumber,
        beforeStatus: task.status,
        afterStatus: claim.holder ? 'CLAIMED' : 'OPEN',
        detail: { taskId: task.id, step: task.step, ...detail },
      });
      return reload(task.id);
    };

    app.post(
      '/tasks/:id/claim',
      {
        preHandler: requirePermission('task.claim'),
        schema: { tags, summary: 'Take the task: other officers can no longer decide it', security, params, response: { 200: taskSchema, ...onTask } },
      },
      async (request) => {
        const { task, principal } = await taskFor(deps.db, request, request.params.id, 'task.claim');
        if (task.status === 'CLAIMED' && task.claimedBy === principal.subject) return reload(task.id); // already mine
        if (task.status !== 'OPEN') throw new ProblemError(409, 'Not possible now', task.status === 'CLAIMED' ? `task is claimed by ${task.claimedBy}` : `task is ${task.status}`);
        return changeOfHolder(request, task, principal, { action: 'CLAIM', holder: principal.subject });
      },
    );

    app.post(
      '/tasks/:id/unclaim',
      {
        preHandler: requirePermission('task.claim'),
        schema: { tags, summary: 'Give the task back to the inbox (only its holder)', security, params, response: { 200: taskSchema, ...onTask } },
      },
      async (request) => {
        const { task, principal } = await taskFor(deps.db, request, request.params.id, 'task.claim');
        if (task.status !== 'CLAIMED' || task.claimedBy !== principal.subject) throw new ProblemError(409, 'Not possible now', `task is not claimed by ${principal.subject}`);
        return changeOfHolder(request, task, principal, { action: 'RELEASE', holder: null });
      },
    );

    app.post(
      '/tasks/:id/reassignment',
      {
        preHandler: requirePermission('supervision.act'),
        schema: {
          tags: ['supervision'],
          summary: "Move an open task to another officer of the same agency, or back to the agency's inbox",
          security,
          params,
          body: z.object({
            toSubject: z.string().regex(/^[A-Za-z0-9._:@-]{3,100}$/, 'expected an officer identifier').nullable(),
            reason,
          }),
          response: { 200: taskSchema, ...onTask },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const task = await deps.db.agencyTask.findUnique({ where: { id: request.params.id }, include });
        const place = task && { scope: 'COMMUNE' as const, provinceCode: task.provinceCode, communeCode: task.communeCode };
        if (!task || !place || !authorize(principal, { action: 'supervision.act', scope: place })) {
          throw new ProblemError(404, 'Task not found', `no task ${request.params.id}`);
        }
        if (task.status !== 'OPEN' && task.status !== 'CLAIMED') throw new ProblemError(409, 'Not possible now', `task is ${task.status}`);
        const { toSubject, reason: why } = request.body;
        return changeOfHolder(request, task, principal, { action: 'ASSIGN', holder: toSubject }, { from: task.claimedBy, to: toSubject, reason: why });
      },
    );

    /**
     * A decision: 200 once the workflow recorded it, 202 when Temporal could not be reached (recorded
     * here and delivered by the relay: nothing to repeat). Audited once, with what it came to.
     */
    const decision = async (request: FastifyRequest, reply: FastifyReply, task: LoadedTask, principal: Principal, action: string, outcome: StepOutcome | UndoOutcome, detail: object) => {
      // A person decides a task they hold, so two officers never decide one at once; an agency's system
      // answers through its integration, with no colleague to collide with.
      if (principal.role === 'AGENCY_OFFICER' && task.status === 'OPEN') throw new ProblemError(409, 'Not possible now', `task ${task.id} must be claimed before it is decided`);
      const answer = await decideTask(deps, task, principal, outcome, messageId(request));
      await audit(deps.db, principal, {
        requestKey: messageId(request),
        action,
        dossierNumber: task.dossier.dossierNumber,
        beforeStatus: task.status,
        afterStatus: answer === 'RECORDED' ? 'DONE' : 'DECISION_PENDING',
        detail: { taskId: task.id, step: task.step, kind: task.kind, ...detail },
      });
      return reply.code(answer === 'RECORDED' ? 200 : 202).send(await reload(task.id));
    };

    app.post(
      '/tasks/:id/completion',
      {
        preHandler: requirePermission('task.complete'),
        schema: {
          tags,
          summary:
            "Complete the step with its result (validated against the step's result schema), or an undo task with `{ reference }` of the cancellation; the workflow resumes at once",
          description: claimFirst,
          security,
          params,
          body: z.object({ result: z.record(z.string(), z.unknown()) }),
          response: { 200: taskSchema, 202: taskSchema, ...onTask },
        },
      },
      async (request, reply) => {
        const { task, principal } = await taskFor(deps.db, request, request.params.id, 'task.complete');
        const schema = task.kind === 'UNDO' ? undoTaskResultSchema : stepResultSchemas[task.step as StepCode];
        const parsed = schema.safeParse(request.body.result);
        if (!parsed.success) {
          throw new ProblemError(
            400,
            'Invalid request',
            `the ${task.kind === 'UNDO' ? 'undo ' : ''}result of ${task.step} has ${parsed.error.issues.length} invalid field(s)`,
            parsed.error.issues.map((i) => ({ field: ['body', 'result', ...i.path.map(String)].join('.'), reason: i.message })),
          );
        }
        await checkEnteredIdentifiers(deps.db, task, parsed.data);
        if (task.kind === 'ACT' && task.step === 'CHILD_HEALTH_INSURANCE') await checkCardValidity(task, parsed.data as { validUntil: string });
        return decision(request, reply, task, principal, 'task.complete', { status: 'COMPLETED', result: parsed.data } as StepOutcome, {});
      },
    );

    app.post(
      '/tasks/:id/refusal',
      {
        preHandler: requirePermission('task.refuse'),
        schema: {
          tags,
          summary: 'Refuse the step (a business decision): later steps that need it are blocked. Refusing an undo task opens a compensation incident',
          description: claimFirst,
          security,
          params,
          body: z.object({ code: z.enum(refusalReasonCodes, { error: 'not a refusal reason of the catalogue' }).describe('A code of the refusal catalogue (domain/catalogues.ts)'), reason }),
          response: { 200: taskSchema, 202: taskSchema, ...onTask },
        },
      },
      async (request, reply) => {
        const { task, principal } = await taskFor(deps.db, request, request.params.id, 'task.refuse');
        const { code, reason: why } = request.body;
        return decision(request, reply, task, principal, 'task.refuse', { status: 'REFUSED', refusalCode: code, reason: why }, { code, reason: why });
      },
    );

    app.post(
      '/tasks/:id/supplement-request',
      {
        preHandler: requirePermission('task.requestSupplement'),
        schema: {
          tags,
          summary: 'Ask the citizen for more documents: the step waits for the supplement, then opens a new task',
          description: claimFirst,
          security,
          params,
          body: z
            .object({
              documents: z
                .array(z.enum(documentTypeCodes, { error: 'not a document of the catalogue' }))
                .min(1)
                .max(20)
                .optional()
                .describe("Codes of the document catalogue (domain/catalogues.ts), each one the task's step takes"),
              reason: reason.optional().describe('What else the citizen should know'),
            })
            .refine((body) => body.documents !== undefined || body.reason !== undefined, { path: ['documents'], message: 'name the documents or say why' }),
          response: { 200: taskSchema, 202: taskSchema, ...onTask },
        },
      },
      async (request, reply) => {
        const { task, principal } = await taskFor(deps.db, request, request.params.id, 'task.requestSupplement');
        if (task.kind === 'UNDO') throw new ProblemError(409, 'Not possible now', 'an undo task is completed or refused, never waits for a supplement');
        const documents: DocumentType[] = request.body.documents ?? [];
        checkStepDocuments(task.step as StepCode, documents);
        const why = supplementRequestText(documents, request.body.reason);
        return decision(request, reply, task, principal, 'task.requestSupplement', { status: 'SUPPLEMENT_REQUESTED', reason: why }, { reason: why, documents });
      },
    );
  };
}
