import { randomUUID } from 'node:crypto';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { createHttpAgencyGateway } from '../../activities/agency-gateway';
import { createDatabase } from '../../runtime/database';
import { createLogger } from '../../runtime/logger';
import { createWorkingCalendar } from '../../domain/working-days';
import { createWorkerMetrics } from '../../runtime/metrics';
import { createDossierWorker } from '../../worker/create-worker';
import { startMetricsServer } from '../../worker/metrics-server';
import { coreMetricsAddress, coreMetricsExporter, coreMetricsReader } from '../../worker/temporal-core-metrics';
import { freePort } from '../support/free-port';
import { parseSamples } from '../support/prometheus';
import { eventually } from '../support/stack';

/**
 * The real Temporal SDK core exporter behind the worker's /metrics. Runtime.install is once per
 * module registry: this file installs its own and does not use startStack (which installs another).
 */
describe("Temporal SDK core metrics through the worker's /metrics", () => {
  it('exposes the core metrics of a running worker next to our own', async () => {
    const logger = createLogger({ level: 'silent' });
    const address = coreMetricsAddress(await freePort());
    const silent = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    Runtime.install({ logger: silent, telemetryOptions: { metrics: coreMetricsExporter(address) } });

    const db = createDatabase(process.env.DATABASE_URL as string, 2);
    const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS as string });
    const metrics = createWorkerMetrics();
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry: metrics.registry, append: coreMetricsReader(address, logger), logger });
    try {
      const worker = await createDossierWorker({
        connection,
        namespace: 'default',
        taskQueue: `test-${randomUUID()}`,
        activities: { db, logger, metrics, calendar: createWorkingCalendar(), agencies: createHttpAgencyGateway({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 100 }) },
      });
      const text = await worker.runUntil(() =>
        eventually(async () => {
          const body = await (await fetch(server.url)).text();
          // Pollers report their slots once the worker is polling.
          return body.includes('temporal_worker_task_slots_available') ? body : undefined;
        }),
      );
      const names = parseSamples(text).map((s) => s.name);
      expect(names).toContain('lien_thong_group_outcomes_total');
      expect(names).toContain('process_cpu_user_seconds_total');
      expect(names.some((n) => n.startsWith('temporal_'))).toBe(true);
      // One exposition document: no metric family is declared twice.
      const declared = text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]);
      expect(new Set(declared).size).toBe(declared.length);
    } finally {
      await server.close();
      await connection.close();
      await db.$disconnect();
    }
  });
});
