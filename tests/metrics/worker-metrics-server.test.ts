import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createLogger } from '../../runtime/logger';
import { createWorkerMetrics } from '../../runtime/metrics';
import { startMetricsServer, type MetricsServer } from '../../worker/metrics-server';
import { coreMetricsReader } from '../../worker/temporal-core-metrics';
import { sampleValue } from '../support/prometheus';

const logger = createLogger({ level: 'silent' });

/** Stands in for the Temporal core's exporter. */
async function fakeCore(body: string): Promise<{ address: string; close(): Promise<void> }> {
  const server: Server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('worker metrics endpoint', () => {
  const servers: MetricsServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  async function start(append?: () => Promise<string>): Promise<MetricsServer> {
    const metrics = createWorkerMetrics(new Registry());
    metrics.countGroupOutcome({ procedureGroup: 'BIRTH', outcome: 'refused' });
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry: metrics.registry, logger, ...(append ? { append } : {}) });
    servers.push(server);
    return server;
  }

  it("serves the worker's metrics followed by the Temporal core's", async () => {
    const core = await fakeCore('# HELP temporal_worker_task_slots_available x\n# TYPE temporal_worker_task_slots_available gauge\ntemporal_worker_task_slots_available{worker_type="ActivityWorker"} 100\n');
    try {
      const server = await start(coreMetricsReader(core.address, logger));
      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await response.text();
      expect(sampleValue(text, 'lien_thong_group_outcomes_total', { procedure_group: 'BIRTH', outcome: 'refused' })).toBe(1);
      expect(sampleValue(text, 'temporal_worker_task_slots_available', { worker_type: 'ActivityWorker' })).toBe(100);
    } finally {
      await core.close();
    }
  });

  it('still serves its own metrics when the core cannot be read', async () => {
    const server = await start(coreMetricsReader('127.0.0.1:1', logger, 500));
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(sampleValue(text, 'lien_thong_group_outcomes_total', { procedure_group: 'BIRTH', outcome: 'refused' })).toBe(1);
    expect(text).not.toContain('temporal_');
  });

  it('answers 404 elsewhere', async () => {
    const server = await start();
    expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(404);
  });
});
