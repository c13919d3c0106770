import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { idempotencyHeader } from '../domain/agency-contract';
import { registerPortalSubmitter, type PortalSubmitterSettings } from './portal-submitter';

/** Where the simulator takes the portal's status messages: PORTAL_URL is the simulator's URL + this path. */
export const portalPath = '/portal';

export interface PortalStatus {
  messageKey: string;
  portalCode: string;
  sequence: number;
  event: string;
  body: unknown;
  /** Times the same key was sent: more than 1 after a sender crashed between sending and marking. */
  calls: number;
}

const portalFaultSchema = z.object({
  /** Every call answered 503, nothing recorded. */
  outage: z.boolean().default(false),
  /** Every call answered this 4xx, nothing recorded (the portal refusing the messages). */
  refuseWith: z.number().int().min(400).max(499).nullable().default(null),
});

const statusSchema = z.object({ messageKey: z.string().min(1), portalCode: z.string().min(1), sequence: z.number().int().min(1), event: z.string().min(1) }).loose();

/**
 * Plays the national public service portal: its receiving end takes each status message once per
 * Idempotency-Key (a repeat is answered as the first, and counted), notes a message arriving out of
 * order for its dossier, and lists them at /_control/portal, where faults are set with PUT; its filing
 * end (simulator/portal-submitter.ts) submits dossiers when given the API and a portal token.
 */
export function registerPortal(app: FastifyInstance, submitter: Partial<PortalSubmitterSettings> = {}): void {
  const statuses = new Map<string, PortalStatus>();
  const outOfOrder: string[] = [];
  let faults = portalFaultSchema.parse({});

  app.post(`${portalPath}/statuses`, async (request, reply) => {
    if (faults.outage) return reply.code(503).send({ code: 'SERVICE_UNAVAILABLE', message: 'portal is down' });
    if (faults.refuseWith) return reply.code(faults.refuseWith).send({ code: 'REFUSED', message: 'portal refused the message' });
    const key = request.headers[idempotencyHeader];
    const status = statusSchema.safeParse(request.body);
    if (typeof key !== 'string' || !status.success || status.data.messageKey !== key) {
      return reply.code(400).send({ code: 'BAD_REQUEST', message: 'a status message with its key as Idempotency-Key is required' });
    }
    const seen = statuses.get(key);
    if (seen) {
      seen.calls += 1;
      return reply.code(202).send({ accepted: true, duplicate: true });
    }
    const previous = [...statuses.values()].filter((s) => s.portalCode === status.data.portalCode).length;
    if (previous + 1 !== status.data.sequence) outOfOrder.push(key);
    statuses.set(key, { ...status.data, body: request.body, calls: 1 });
    return reply.code(202).send({ accepted: true, duplicate: false });
  });

  registerPortalSubmitter(
    app,
    (portalCode) => [...statuses.values()].filter((s) => s.portalCode === portalCode).sort((a, b) => a.sequence - b.sequence),
    submitter,
  );

  app.get('/_control/portal', async () => ({ faults, outOfOrder, statuses: [...statuses.values()] }));
  app.put('/_control/portal', async (request, reply) => {
    const settings = portalFaultSchema.partial().safeParse(request.body);
    if (!settings.success) return reply.code(400).send({ code: 'BAD_REQUEST', message: settings.error.issues[0]?.message });
    faults = portalFaultSchema.parse({ ...faults, ...Object.fromEntries(Object.entries(settings.data).filter(([, v]) => v !== undefined)) });
    return faults;
  });
}
