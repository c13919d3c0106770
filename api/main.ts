import { loadConfig, requireSetting } from '../runtime/config';
import { createDatabase } from '../runtime/database';
import { createLogger } from '../runtime/logger';
import { createApiRegistry } from '../runtime/metrics';
import { createDatabaseMetricsSource } from '../runtime/metrics-source';
import { applyMigrations } from '../runtime/migrations';
import { runUntilSignal } from '../runtime/process';
import { connectTemporalClient } from '../runtime/temporal';
import { createWorkingCalendar } from '../domain/working-days';
import { buildApi } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'api' });
  const databaseUrl = requireSetting(config, 'DATABASE_URL');
  await applyMigrations(databaseUrl);
  const db = createDatabase(databaseUrl, config.DATABASE_POOL_SIZE);
  const temporal = await connectTemporalClient(config, requireSetting(config, 'TEMPORAL_ADDRESS'));
  const app = await buildApi({
    db,
    temporal,
    calendar: createWorkingCalendar({ cutoffHour: config.INTAKE_CUTOFF_HOUR }),
    config,
    logger,
    metrics: { registry: createApiRegistry(createDatabaseMetricsSource(db)) },
    ...(config.TEMPORAL_UI_URL ? { temporalUiUrl: `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}` } : {}),
  });
  const address = await app.listen({ host: config.API_HOST, port: config.API_PORT });
  logger.info({ url: address }, 'API listening');
  await runUntilSignal(async () => {
    await app.close();
    await temporal.connection.close();
    await db.$disconnect();
  });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
