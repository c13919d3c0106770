import type { Client } from '@temporalio/client';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../runtime/config';
import type { Database } from '../runtime/database';
import { probeProvider } from './auth/oidc-discovery';
import { withinTemporalDeadline } from './temporal-calls';

export interface HealthDependencies {
  db: Database;
  temporal: Client;
  /** With an identity provider (AUTH_OIDC_ISSUER), its discovery and keys are probed too. */
  config?: Pick<Config, 'AUTH_OIDC_ISSUER' | 'AUTH_OIDC_JWKS_URL'>;
}

/**
 * Each dependency's own deadline. All are probed at once, so the probe answers within this plus a
 * little, under the 2 s an orchestrator is told to wait; a timer bounds each, since a client's own
 * deadline does not cover its connection attempts (the Temporal client retries an unreachable server).
 */
export const PROBE_TIMEOUT_MS = 1_000;

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
 * not). `/health/ready`: PostgreSQL and Temporal both answer, probed in parallel each under its own
 * deadline; 503 names the dependency that does not. `/health` is the liveness probe, as before. The
 * identity provider, when there is one, is reported but does not make the API unready: taken out of the load balancer, the API
 * would not serve the citizens' lookup nor the tokens whose keys it already holds.
 */
export function healthRoutes(deps: HealthDependencies): FastifyPluginAsync {
  return async (app) => {
    const live = async () => ({ status: 'ok' });
    app.get('/health', { schema: { hide: true } }, live);
    app.get('/health/live', { schema: { hide: true } }, live);
    app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
      const issuer = deps.config?.AUTH_OIDC_ISSUER;
      const [database, temporal, identityProvider] = await Promise.all([
        outcome(withTimeout(deps.db.$queryRaw`SELECT 1`, PROBE_TIMEOUT_MS)),
        outcome(withTimeout(withinTemporalDeadline(deps.temporal, () => deps.temporal.workflowService.getSystemInfo({}), PROBE_TIMEOUT_MS), PROBE_TIMEOUT_MS)),
        issuer ? outcome(probeProvider(issuer, deps.config?.AUTH_OIDC_JWKS_URL, PROBE_TIMEOUT_MS)) : undefined,
      ]);
      const ready = database === 'up' && temporal === 'up';
      if (!ready) reply.code(503).header('retry-after', '5');
      return { status: ready ? 'ready' : 'unavailable', dependencies: { database, temporal, ...(identityProvider ? { identityProvider } : {}) } };
    });
  };
}
