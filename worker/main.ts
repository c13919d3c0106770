import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { createHttpAgencyGateway } from '../activities/agency-gateway';
import { createWorkingCalendar } from '../domain/working-days';
import { loadConfig, requireSetting } from '../runtime/config';
import { createDatabase } from '../runtime/database';
import { createLogger } from '../runtime/logger';
import { applyMigrations } from '../runtime/migrations';
import { createDossierWorker } from './create-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
  const databaseUrl = requireSetting(config, 'DATABASE_URL');
  await applyMigrations(databaseUrl);
  Runtime.install({
    logger: {
      log: (level, message, meta) => logger[level === 'TRACE' ? 'trace' : (level.toLowerCase() as 'info')](meta ?? {}, message),
      trace: (m, meta) => logger.trace(meta ?? {}, m),
      debug: (m, meta) => logger.debug(meta ?? {}, m),
      info: (m, meta) => logger.info(meta ?? {}, m),
      warn: (m, meta) => logger.warn(meta ?? {}, m),
      error: (m, meta) => logger.error(meta ?? {}, m),
    },
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } },
  });
  const db = createDatabase(databaseUrl, config.DATABASE_POOL_SIZE);
  const connection = await NativeConnection.connect({ address: requireSetting(config, 'TEMPORAL_ADDRESS') });
  const worker = await createDossierWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: {
      db,
      logger,
      calendar: createWorkingCalendar({ cutoffHour: config.INTAKE_CUTOFF_HOUR }),
      agencies: createHttpAgencyGateway({
        baseUrl: requireSetting(config, 'AGENCY_BASE_URL'),
        timeoutMs: config.AGENCY_TIMEOUT_MS,
      }),
    },
  });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
  // Worker.run() resolves after SIGINT/SIGTERM once in-flight tasks are done (the SDK installs the handlers).
  await worker.run();
  await connection.close();
  await db.$disconnect();
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
