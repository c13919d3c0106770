import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../runtime/logger';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The worker's Prometheus endpoint: GET /metrics serves `registry` followed by the text `append`
 * returns (the Temporal core's metrics). Plain node:http: one route needs no framework.
 */
export async function startMetricsServer(options: {
  host: string;
  port: number;
  registry: Registry;
  append?: () => Promise<string>;
  logger: Logger;
}): Promise<MetricsServer> {
  const { registry, append, logger } = options;
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    void Promise.all([registry.metrics(), append ? append() : ''])
      .then(([own, more]) => {
        // Both are complete exposition documents with distinct metric names; joined, they stay one.
        const body = more ? `${own.endsWith('\n') ? own : `${own}\n`}${more}` : own;
        response.writeHead(200, { 'content-type': registry.contentType }).end(request.method === 'HEAD' ? undefined : body);
      })
      .catch((error: unknown) => {
        logger.error({ err: (error as Error).message }, 'metrics scrape failed');
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
