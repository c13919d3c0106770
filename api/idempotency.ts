import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../runtime/database';
import type { Logger } from '../runtime/logger';
import { principalOf } from './auth/plugin';
import { digest } from './canonical-json';
import { ProblemError } from './problem';

/**
 * Idempotent messages: a state-changing call (withdrawal, supplement, decision, task decision, bulk
 * decision…) sent with an `Idempotency-Key` header is done once, and a retry of it — after a timeout,
 * a double click, a crash — gets the first successful answer instead of a 409.
 *
 * - The key is the caller's own (scoped to the principal); the same key on another request is a 422.
 * - Before the handler runs, the request is claimed (one row); a duplicate arriving while the first is
 *   still running is a 409 with Retry-After. A claim left by a process that died midway is taken over
 *   after a while: the message it may have delivered carries the same id (`messageId`), which Temporal
 *   deduplicates, and its audit entry the same key, which the audit log keeps once.
 * - A success is stored and replayed (header `Idempotent-Replayed: true`); a refusal is not kept, so
 *   the same call can be made again once the cause is fixed.
 * Without the header a call behaves as before. Intake needs none: the dossier number is its key.
 */
export const idempotencyHeader = 'idempotency-key';
const keyPattern = /^[A-Za-z0-9._:-]{8,128}$/;
/** The header as the OpenAPI document states it, on the routes that read it. */
export const idempotencyKeyHeader = {
  name: 'Idempotency-Key',
  schema: { type: 'string', pattern: keyPattern.source, description: 'Repeating the call with the same key replays its first successful answer instead of acting again' },
};
/** A claim older than this with no answer was left by a process that died: a retry takes it over. */
const abandonedAfterMs = 30_000;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { subject: string; key: string };
  }
}

/** The id a request's message to a workflow carries (with a part for each of a bulk call's messages). */
export function messageId(request: FastifyRequest, part?: string): string | undefined {
  const claim = request.idempotency;
  return claim ? [claim.subject, claim.key, ...(part ? [part] : [])].join('/') : undefined;
}

/**
 * Calls whose answer is never kept, so never replayed: the intake and a draft's confirmation (the dossier
 * number is their key; the answer carries the receipt code, kept nowhere but as a hash), a new
 * receipt code (the answer carries the code, which is stored nowhere but as a hash; pressing again issues
 * another and voids this one), the public lookup (no principal, no state changed), and the search of
 * dossiers (a POST only to keep names out of URLs; its answer, which names people, is never stored).
 */
const unkeyed = new Set(['/v1/dossiers/:dossierNumber/attachments', '/v1/dossiers', '/v1/dossiers/search', '/v1/notices/:noticeId/confirmation', '/v1/dossiers/:dossierNumber/receipt-code', '/v1/public/dossier-status']);

/** Calls that change state and need a key to be safely repeated: every POST but those above. */
export const takesIdempotencyKey = (method: string, route: string | undefined): boolean =>
  method === 'POST' && route?.startsWith('/v1/') === true && !unkeyed.has(route);
const applies = (request: FastifyRequest): boolean => takesIdempotencyKey(request.method, request.routeOptions.url);

export function idempotencyHooks(db: Database, logger: Logger) {
  const inProgress = (reply: FastifyReply) => {
    reply.header('retry-after', '5');
    return new ProblemError(409, 'Request in progress', 'the same request is still being processed; repeat it in a few seconds');
  };

  async function claim(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (!applies(request)) return undefined;
    const key = request.headers[idempotencyHeader];
    if (key === undefined) return undefined;
    if (typeof key !== 'string' || !keyPattern.test(key)) {
      throw new ProblemError(400, 'Invalid request', 'the Idempotency-Key header is malformed', [
        { field: `headers.${idempotencyHeader}`, reason: 'expected 8–128 letters, digits, dots, colons, dashes or underscores' },
      ]);
    }
    const subject = principalOf(request).subject;
    const route = `${request.method} ${request.routeOptions.url}`;
    const requestDigest = digest({ route, params: request.params ?? null, body: request.body ?? null });
    const claimed = await db.$executeRaw`
      INSERT INTO idempotent_request (actor_subject, key, route, request_digest) VALUES (${subject}, ${key}, ${route}, ${requestDigest})
      ON CONFLICT DO NOTHING`;
    if (claimed === 0) {
      const earlier = await db.idempotentRequest.findUnique({ where: { actorSubject_key: { actorSubject: subject, key } } });
      if (!earlier) throw inProgress(reply); // answered and released a moment ago: repeat
      if (earlier.requestDigest !== requestDigest) {
        throw new ProblemError(422, 'Idempotency key reused', 'this Idempotency-Key was used for another request', [
          { field: `headers.${idempotencyHeader}`, reason: 'already used for another request' },
        ]);
      }
      if (earlier.statusCode !== null) {
        return reply
          .code(earlier.statusCode)
          .header('idempotent-replayed', 'true')
          .type(earlier.contentType ?? 'application/json')
          .send(earlier.response);
      }
      if (Date.now() - earlier.createdAt.getTime() < abandonedAfterMs) throw inProgress(reply);
      const taken = await db.idempotentRequest.updateMany({
        where: { actorSubject: subject, key, statusCode: null, createdAt: earlier.createdAt },
        data: { createdAt: new Date() },
      });
      if (taken.count === 0) throw inProgress(reply);
    }
    request.idempotency = { subject, key };
    return undefined;
  }

  async function settle(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const held = request.idempotency;
    if (!held) return payload;
    const where = { actorSubject_key: { actorSubject: held.subject, key: held.key } };
    try {
      if (reply.statusCode < 400) {
        const contentType = reply.getHeader('content-type');
        await db.idempotentRequest.update({
          where,
          data: { statusCode: reply.statusCode, contentType: typeof contentType === 'string' ? contentType : null, response: String(payload ?? ''), completedAt: new Date() },
        });
      } else {
        await db.idempotentRequest.deleteMany({ where: { actorSubject: held.subject, key: held.key, statusCode: null } });
      }
    } catch (error) {
      // The call itself is done; a retry finds the claim abandoned and is deduplicated downstream.
      logger.warn({ err: (error as Error).message }, 'could not record the answer of an idempotent request');
    }
    return payload;
  }

  return { claim, settle };
}
