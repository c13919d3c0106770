import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { actPath, idempotencyHeader, supplementRequiredCode, undoPath } from '../domain/agency-contract';
import { groupDefinition, procedureGroups, type AgencyRole, type StepCode } from '../domain/procedures';
import { funeralCategories, allowanceFor } from '../domain/funeral-allowance';
import type { Logger } from '../runtime/logger';
import { registerPortal } from './portal';
import type { PortalSubmitterSettings } from './portal-submitter';
import { defaultFaults, faultSettingsSchema, simulatedAgencies, simulatedAgencyOf, type FaultSettings, type SimulatedAgency } from './faults';
import { registerNotificationGateway } from './notification-gateway';
import { AgencyRegistry, SimulatedRefusal } from './registry';

interface StoredAnswer {
  status: number;
  body: unknown;
}

/** Every (agency, step) pair the procedure definitions can route to. */
function agencySteps(): { agency: AgencyRole; step: StepCode }[] {
  const pairs = procedureGroups.flatMap((group) =>
    groupDefinition(group).steps.flatMap((s) =>
      typeof s.agency === 'string' ? [{ agency: s.agency, step: s.code }] : funeralCategories.map((c) => ({ agency: allowanceFor(c, '2100-01-01').agency, step: s.code })),
    ),
  );
  return pairs.filter((p, i) => pairs.findIndex((q) => q.agency === p.agency && q.step === p.step) === i);
}

/**
 * An HTTP service that behaves like the agencies' systems: real identifier formats, idempotent
 * answers per Idempotency-Key, undo of an act named by its key, and faults set per agency through
 * /_control (latency, errors, lost answers, refusals, supplements, outages) so tests and benchmarks
 * rehearse what goes wrong in production.
 */
export function buildSimulator(
  options: { logger?: Logger; faults?: Partial<Record<SimulatedAgency, Partial<FaultSettings>>>; portalSubmitter?: Partial<PortalSubmitterSettings> } = {},
): FastifyInstance {
  const app = Fastify({ loggerInstance: options.logger as FastifyBaseLogger | undefined });
  const registry = new AgencyRegistry();
  let faults = defaultFaults();
  const configure = (agency: SimulatedAgency, settings: Partial<FaultSettings>) => {
    faults[agency] = faultSettingsSchema.parse({ ...faults[agency], ...settings });
  };
  for (const [agency, settings] of Object.entries(options.faults ?? {})) configure(agency, settings ?? {});

  const answers = new Map<string, Promise<StoredAnswer>>();
  const acts = new Map<string, { step: StepCode; result: unknown; undone: boolean }>();
  const calls: Record<string, number> = Object.fromEntries(simulatedAgencies.map((a) => [a, 0]));

  /** Faults, idempotency and lost answers, common to acts and undos. */
  async function answer(agency: SimulatedAgency, key: unknown, reply: FastifyReply, decide: (fault: FaultSettings) => StoredAnswer) {
    calls[agency] = (calls[agency] ?? 0) + 1;
    const fault = faults[agency] as FaultSettings;
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.outage) return reply.code(503).send({ code: 'SERVICE_UNAVAILABLE', message: `${agency} system is down` });
    if (typeof key !== 'string' || key.length === 0) {
      return reply.code(400).send({ code: 'IDEMPOTENCY_KEY_REQUIRED', message: `${idempotencyHeader} header is required` });
    }
    if (Math.random() < fault.errorRate) return reply.code(500).send({ code: 'INTERNAL', message: 'simulated error' });
    const storeKey = `${agency}:${key}`;
    let stored = answers.get(storeKey);
    if (!stored) {
      stored = Promise.resolve().then(() => decide(fault));
      answers.set(storeKey, stored);
      // A failed decision (an undo during an undo outage) is not an answer: the next call decides again.
      void stored.then((s) => s.status >= 500 && answers.delete(storeKey));
    }
    const { status, body } = await stored;
    // The act is done and remembered; only the answer is lost. A retry gets the same answer.
    if (status < 500 && Math.random() < fault.lostAnswerRate) return reply.code(504).send({ code: 'GATEWAY_TIMEOUT', message: 'answer lost' });
    return reply.code(status).send(body);
  }

  for (const { agency, step } of agencySteps()) {
    const name = simulatedAgencyOf(agency);
    const path = actPath(agency, step);
    app.post(path, (request, reply) =>
      answer(name, request.headers[idempotencyHeader], reply, (fault) => {
        if (Math.random() < fault.refusalRate) return { status: 422, body: { code: fault.refusalCode, message: `${name} refused the request` } };
        if (Math.random() < fault.supplementRate) return { status: 422, body: { code: supplementRequiredCode, message: `${name} needs more documents` } };
        try {
          const result = registry.acts[step](request.body as Record<string, unknown>);
          acts.set(`${path}:${request.headers[idempotencyHeader] as string}`, { step, result, undone: false });
          return { status: 201, body: result };
        } catch (error) {
          if (error instanceof SimulatedRefusal) return { status: 422, body: { code: error.code, message: error.message } };
          throw error;
        }
      }),
    );
    app.post(undoPath(agency, step), (request, reply) =>
      answer(name, request.headers[idempotencyHeader], reply, (fault) => {
        if (fault.undoOutage) return { status: 500, body: { code: 'INTERNAL', message: 'cancellation service failing' } };
        const { originalIdempotencyKey } = request.body as { originalIdempotencyKey: string };
        const act = acts.get(`${path}:${originalIdempotencyKey}`);
        if (!act) return { status: 200, body: { undone: false } };
        if (!act.undone) registry.undo(step, act.result);
        act.undone = true;
        return { status: 200, body: { undone: true, reference: `HUY-${originalIdempotencyKey}` } };
      }),
    );
  }

  const agencyParam = z.object({ agency: z.enum(simulatedAgencies as [string, ...string[]]) });
  app.get('/_control/agencies', async () => ({ faults, calls, issued: registry.counts() }));
  app.put('/_control/agencies/:agency', async (request, reply) => {
    const params = agencyParam.safeParse(request.params);
    const settings = faultSettingsSchema.partial().safeParse(request.body);
    if (!params.success || !settings.success) {
      return reply.code(400).send({ code: 'BAD_REQUEST', message: (params.error ?? settings.error)?.issues[0]?.message });
    }
    configure(params.data.agency, Object.fromEntries(Object.entries(settings.data).filter(([, v]) => v !== undefined)));
    return faults[params.data.agency];
  });
  app.post('/_control/reset-faults', async () => {
    faults = defaultFaults();
    return faults;
  });
  registerNotificationGateway(app);
  registerPortal(app, options.portalSubmitter);
  app.get('/health', async () => ({ status: 'ok' }));
  return app;
}
