import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { agencyPaths, idempotencyHeader } from '../domain/agency-contract';
import type { Logger } from '../runtime/logger';
import { defaultFaults, faultSettingsSchema, simulatedAgencies, type FaultSettings, type SimulatedAgency } from './faults';
import { AgencyRegistry, SimulatedRefusal } from './registry';

interface StoredAnswer {
  status: number;
  body: unknown;
}

/**
 * An HTTP service that behaves like the agencies' systems: real identifier formats, idempotent
 * answers per Idempotency-Key, and faults set per agency through /_control (latency, errors, lost
 * answers, refusals, outages) so tests and benchmarks can rehearse what goes wrong in production.
 */
export function buildSimulator(options: { logger?: Logger; faults?: Partial<Record<SimulatedAgency, Partial<FaultSettings>>> } = {}): FastifyInstance {
  const app = Fastify({ loggerInstance: options.logger as FastifyBaseLogger | undefined });
  const registry = new AgencyRegistry();
  const faults = defaultFaults();
  for (const [agency, settings] of Object.entries(options.faults ?? {})) {
    faults[agency as SimulatedAgency] = faultSettingsSchema.parse({ ...faults[agency as SimulatedAgency], ...settings });
  }
  const answers = new Map<string, Promise<StoredAnswer>>();
  const calls: Record<SimulatedAgency, number> = { 'civil-status': 0, population: 0, police: 0, 'social-security': 0 };

  function route(agency: SimulatedAgency, path: string, act: (body: never) => unknown): void {
    app.post(path, async (request, reply) => {
      calls[agency] += 1;
      const fault = faults[agency];
      if (fault.latencyMs > 0) await sleep(fault.latencyMs);
      if (fault.outage) return reply.code(503).send({ code: 'SERVICE_UNAVAILABLE', message: `${agency} system is down` });
      const key = request.headers[idempotencyHeader];
      if (typeof key !== 'string' || key.length === 0) {
        return reply.code(400).send({ code: 'IDEMPOTENCY_KEY_REQUIRED', message: `${idempotencyHeader} header is required` });
      }
      if (Math.random() < fault.errorRate) return reply.code(500).send({ code: 'INTERNAL', message: 'simulated error' });

      const storeKey = `${agency}:${key}`;
      let answer = answers.get(storeKey);
      if (!answer) {
        answer = Promise.resolve().then((): StoredAnswer => {
          if (Math.random() < fault.refusalRate) {
            return { status: 422, body: { code: fault.refusalCode, message: `${agency} refused the request` } };
          }
          try {
            return { status: 201, body: act(request.body as never) };
          } catch (error) {
            if (error instanceof SimulatedRefusal) return { status: 422, body: { code: error.code, message: error.message } };
            throw error;
          }
        });
        answers.set(storeKey, answer);
      }
      const stored = await answer;
      // The act is done and remembered; only the answer is lost. A retry gets the same answer.
      if (Math.random() < fault.lostAnswerRate) return reply.code(504).send({ code: 'GATEWAY_TIMEOUT', message: 'answer lost' });
      return reply.code(stored.status).send(stored.body);
    });
  }

  route('civil-status', agencyPaths.birthRegistration, (body) => registry.registerBirth(body));
  route('population', agencyPaths.personalId, (body) => registry.issuePersonalId(body));
  route('police', agencyPaths.permanentResidence, (body) => registry.registerPermanentResidence(body));
  route('social-security', agencyPaths.childHealthInsurance, (body) => registry.issueChildHealthInsuranceCard(body));

  const agencyParam = z.object({ agency: z.enum(simulatedAgencies) });
  app.get('/_control/agencies', async () => ({ faults, calls, issued: registry.counts() }));
  app.put('/_control/agencies/:agency', async (request, reply) => {
    const params = agencyParam.safeParse(request.params);
    const settings = faultSettingsSchema.partial().safeParse(request.body);
    if (!params.success || !settings.success) {
      return reply.code(400).send({ code: 'BAD_REQUEST', message: (params.error ?? settings.error)?.issues[0]?.message });
    }
    const agency = params.data.agency;
    faults[agency] = { ...faults[agency], ...Object.fromEntries(Object.entries(settings.data).filter(([, v]) => v !== undefined)) };
    return faults[agency];
  });
  app.post('/_control/reset-faults', async () => {
    Object.assign(faults, defaultFaults());
    return faults;
  });
  app.get('/health', async () => ({ status: 'ok' }));
  return app;
}
