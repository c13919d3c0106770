import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

export interface MetricsRouteDependencies {
  registry: Registry;
}

/** GET /metrics in Prometheus' text format; kept out of the OpenAPI document, which is for clerks' clients. */
export function metricsRoutes({ registry }: MetricsRouteDependencies): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    });
  };
}
