import type { Client } from '@temporalio/client';
import type { FastifyPluginAsync } from 'fastify';
import type { Database } from '../runtime/database';
import { withinTemporalDeadline } from './temporal-calls';

export interface HealthDependencies {
  db: Database;
  temporal: Client;
}

/** Each dependency gets this long to answer a readiness probe. */
const PROBE_TIMEOUT_MS = 2_000;

const withTimeout = <T>(probe: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    probe.then(resolve, reject).finally(() => clearTimeout(timer));
  });

const outcome = (probe: Promise<unknown>): Promise<'up' | 'down'> => probe.then(
  () => 'up' as const,
  () => 'down' as const,
);

/**
 * Probes for a load balancer or an orchestrator. `/health/live`: the process answers (restart it if
 * not). `/health/ready`: PostgreSQL and Temporal both answer within a short timeout; 503 names the
 * dependency that does not. `/health` is the liveness probe, as before.
 */
export function healthRoutes(deps: HealthDependencies): FastifyPluginAsync {
  return async (app) => {
    const live = async () => ({ status: 'ok' });
    app.get('/health', { schema: { hide: true } }, live);
    app.get('/health/live', { schema: { hide: true } }, live);
    app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
      const [database, temporal] = await Promise.all([
        outcome(withTimeout(deps.db.$queryRaw`SELECT 1`, PROBE_TIMEOUT_MS)),
        outcome(withinTemporalDeadline(deps.temporal, () => deps.temporal.workflowService.getSystemInfo({}), PROBE_TIMEOUT_MS)),
      ]);
      const ready = database === 'up' && temporal === 'up';
      if (!ready) reply.code(503).header('retry-after', '5');
      return { status: ready ? 'ready' : 'unavailable', dependencies: { database, temporal } };
    });
  };
}
