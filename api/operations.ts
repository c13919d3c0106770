import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../runtime/logger';
import { healthRoutes, type HealthDependencies } from './health';
import { metricsRoutes, type MetricsRouteDependencies } from './routes/metrics';

export type OperationsDependencies = HealthDependencies & {
  logger: Logger;
  metrics?: MetricsRouteDependencies;
};

/** Everything but the documentation page: no content of another origin, never framed. */
const strictPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The documentation page's policy as @fastify/swagger-ui computes it (its own scripts only), never
 * framed as the console is not, and without what a plain-HTTP internal port cannot honour (upgrading
 * its own assets to HTTPS) or needs not (the public validator's badge).
 */
const docsPolicy = (generated: string): string =>
  generated
    .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
    .replace(' validator.swagger.io', '')
    .replace(/\s*upgrade-insecure-requests;?/, '');

/**
 * The API's operations port (API_OPS_HOST/API_OPS_PORT): /metrics for Prometheus, the OpenAPI document
 * (/docs/json) and its UI (/docs) for developers, and the health probes for the orchestrator. Kept off
 * the citizen-facing port, which serves none of the first two: they are for the internal network.
 * The document is the one the API's routes generate, read once the API is ready.
 */
export async function buildOperationsApi(api: FastifyInstance, deps: OperationsDependencies): Promise<FastifyInstance> {
  await api.ready();
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger });
  // The console's headers on every answer: no sniffing, no referrer, no copy kept, no framing.
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer').header('cache-control', 'no-store');
    if (!request.url.startsWith('/docs')) reply.header('content-security-policy', strictPolicy);
  });
  await app.register(swagger, { mode: 'static', specification: { document: api.swagger() as never } });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, transformStaticCSP: docsPolicy });
  await app.register(healthRoutes(deps));
  if (deps.metrics) await app.register(metricsRoutes(deps.metrics));
  return app;
}
