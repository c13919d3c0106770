import { NativeConnection } from '@temporalio/worker';
import { loadSettings, requireSetting } from '../runtime/config';
import { createDatabase } from '../runtime/database';
import { createLogger } from '../runtime/logger';
import { createWorkerMetrics } from '../runtime/metrics';
import { applyMigrations } from '../runtime/migrations';
import { ensureDeadlineSweepSchedule } from '../runtime/deadline-sweep-schedule';
import { connectTemporalClient } from '../runtime/temporal';
import { installTemporalRuntime } from '../runtime/temporal-runtime';
import { configuredActivities, configuredNotificationRelay, createDossierWorker } from './create-worker';
import { prebuiltBundle } from './workflow-bundle';
import { startMetricsServer, type MetricsServer } from './metrics-server';
import { coreMetricsAddress, coreMetricsExporter, coreMetricsReader } from './temporal-core-metrics';

async function main(): Promise<void> {
  const config = loadSettings(['temporal', 'database', 'worker', 'agencies', 'procedures']);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
  const databaseUrl = requireSetting(config, 'DATABASE_URL');
  await applyMigrations(databaseUrl);
  const coreMetrics = config.TEMPORAL_SDK_METRICS_PORT === 0 ? undefined : coreMetricsAddress(config.TEMPORAL_SDK_METRICS_PORT);
  // The core's logs as JSON through pino, repeats collapsed: never coloured text in the JSON stream.
  installTemporalRuntime(logger, coreMetrics ? { metrics: coreMetricsExporter(coreMetrics) } : {});
  // Step durations and group outcomes are observed here, in the process that runs the activities.
  const metrics = createWorkerMetrics();
  let metricsServer: MetricsServer | undefined;
  if (config.WORKER_METRICS_PORT !== 0) {
    metricsServer = await startMetricsServer({
      host: config.WORKER_METRICS_HOST,
      port: config.WORKER_METRICS_PORT,
      registry: metrics.registry,
      ...(coreMetrics ? { append: coreMetricsReader(coreMetrics, logger) } : {}),
      logger,
    });
    logger.info({ url: metricsServer.url }, 'worker metrics listening');
  }
  const db = createDatabase(databaseUrl, config.DATABASE_POOL_SIZE);
  const connection = await NativeConnection.connect({ address: requireSetting(config, 'TEMPORAL_ADDRESS') });
  const temporal = await connectTemporalClient(config, requireSetting(config, 'TEMPORAL_ADDRESS'));
  await ensureDeadlineSweepSchedule(temporal, config.TEMPORAL_TASK_QUEUE, config.DEADLINE_SWEEP_INTERVAL_MINUTES);
  const bundle = prebuiltBundle();
  if (!bundle) logger.warn('no workflow bundle of these sources (npm run build:workflows): bundling at start');
  const worker = await createDossierWorker({
    ...(bundle ? { workflowBundle: bundle } : {}),
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: configuredActivities(config, { db, logger, metrics, temporal }),
  });
  const notificationRelay = configuredNotificationRelay(config, { db, logger });
  if (!notificationRelay) logger.warn('NOTIFICATION_GATEWAY_URL unset: announcements to citizens are recorded, not sent');
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
  // Worker.run() resolves after SIGINT/SIGTERM once in-flight tasks are done (the SDK installs the handlers).
  await worker.run();
  await notificationRelay?.stop();
  await metricsServer?.close();
  await connection.close();
  await temporal.connection.close();
  await db.$disconnect();
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
