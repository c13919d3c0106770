import type { FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { idempotencyHeader } from '../domain/agency-contract';
import { notificationMessageSchema, type NotificationMessage } from '../domain/notification-contract';

/** Where the simulator takes messages: NOTIFICATION_GATEWAY_URL is the simulator's URL + this path. */
export const notificationGatewayPath = '/notifications';

export interface ReceivedMessage extends NotificationMessage {
  idempotencyKey: string;
  receivedAt: string;
  /** Times the same key was sent: more than 1 after a sender crashed between sending and marking. */
  calls: number;
}

const gatewayFaultSchema = z.object({
  /** Every call answered 503, nothing recorded. */
  outage: z.boolean().default(false),
  /** Delay before answering, after the message is taken: a sender may die while it waits. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
});

/**
 * Plays the VNeID / SMS / email gateway: takes each message once per Idempotency-Key (a repeat is
 * answered as the first, and counted), and lists them at /_control/notifications for tests and for
 * people trying the system; faults are set there with PUT.
 */
export function registerNotificationGateway(app: FastifyInstance): void {
  const messages = new Map<string, ReceivedMessage>();
  let faults = gatewayFaultSchema.parse({});

  app.post(notificationGatewayPath, async (request, reply) => {
    if (faults.outage) return reply.code(503).send({ code: 'SERVICE_UNAVAILABLE', message: 'notification gateway is down' });
    const key = request.headers[idempotencyHeader];
    if (typeof key !== 'string' || key.length === 0) return reply.code(400).send({ code: 'IDEMPOTENCY_KEY_REQUIRED', message: `${idempotencyHeader} header is required` });
    const message = notificationMessageSchema.safeParse(request.body);
    if (!message.success) return reply.code(400).send({ code: 'BAD_REQUEST', message: message.error.issues[0]?.message });
    const seen = messages.get(key);
    if (seen) seen.calls += 1;
    else messages.set(key, { ...message.data, idempotencyKey: key, receivedAt: new Date().toISOString(), calls: 1 });
    // Taken (and, in production, sent on): only the answer is slow.
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    return reply.code(202).send({ accepted: true, duplicate: Boolean(seen) });
  });

  app.get('/_control/notifications', async () => ({ faults, messages: [...messages.values()] }));
  app.put('/_control/notifications', async (request, reply) => {
    const settings = gatewayFaultSchema.partial().safeParse(request.body);
    if (!settings.success) return reply.code(400).send({ code: 'BAD_REQUEST', message: settings.error.issues[0]?.message });
    faults = gatewayFaultSchema.parse({ ...faults, ...Object.fromEntries(Object.entries(settings.data).filter(([, v]) => v !== undefined)) });
    return faults;
  });
}
