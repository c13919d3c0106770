import { loadSettings, requireSetting } from '../runtime/config';
import { createDatabase } from '../runtime/database';
import { createLogger } from '../runtime/logger';
import { createApiRegistry } from '../runtime/metrics';
import { createDatabaseMetricsSource } from '../runtime/metrics-source';
import { applyMigrations } from '../runtime/migrations';
import { runUntilSignal } from '../runtime/process';
import { lazyTemporalClient } from '../runtime/temporal';
import { createWorkingCalendar } from '../domain/working-days';
import { buildApi } from './app';
import { buildOperationsApi } from './operations';
import { runIntakeReconciler } from './intake-reconciler';
import { runMessageRelay } from './message-outbox';
import { portalOutbox } from './portal-outbox';
import { signalOutbox } from './signal-outbox';
import { taskDecisionOutbox } from './task-inbox';
import { TEMPORAL_CALL_TIMEOUT_MS } from './temporal-calls';
import { configuredObjectStore } from '../runtime/object-store';
import { runPeriodically } from '../runtime/periodic';
import { sweepOrphanAttachments } from './attachments';

async function main(): Promise<void> {
  const config = loadSettings(['temporal', 'database', 'api', 'auth', 'procedures', 'attachments']);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'api' });
  const databaseUrl = requireSetting(config, 'DATABASE_URL');
  // Checked before anything is done: outside development mode there is no default key.
  requireSetting(config, 'RECEIPT_CODE_KEY');
  await applyMigrations(databaseUrl);
  const db = createDatabase(databaseUrl, config.DATABASE_POOL_SIZE);
  const temporal = lazyTemporalClient(config, requireSetting(config, 'TEMPORAL_ADDRESS'));
  const calendar = createWorkingCalendar({ cutoffHour: config.INTAKE_CUTOFF_HOUR });
  // Every instance relays the recorded messages to workflows (bulk decisions' signals, officers'
  // decisions Temporal could not take at once): at once after its own requests, and every second for
  // what another instance recorded and could not deliver before it stopped.
  const signalRelay = runMessageRelay({ db, temporal, logger }, [signalOutbox(temporal), taskDecisionOutbox(temporal), portalOutbox(config)], {
    concurrency: config.BULK_DECISION_CONCURRENCY,
  });
  const attachmentStore = configuredObjectStore(config);
  const app = await buildApi({
    attachmentStore,
    signalRelay,
    db,
    temporal,
    calendar,
    config,
    logger,
    ...(config.TEMPORAL_UI_URL ? { temporalUiUrl: `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}` } : {}),
  });
  const address = await app.listen({ host: config.API_HOST, port: config.API_PORT });
  logger.info({ url: address }, 'API listening');
  const operations = await buildOperationsApi(app, { db, temporal, config, logger, metrics: { registry: createApiRegistry(createDatabaseMetricsSource(db, { portalMaxAttempts: config.PORTAL_MAX_ATTEMPTS })) } });
  const opsAddress = await operations.listen({ host: config.API_OPS_HOST, port: config.API_OPS_PORT });
  logger.info({ url: opsAddress }, 'API operations port listening (/metrics, /docs, /health)');
  // Leaves a dossier to its intake request while that request may still be starting it.
  const reconciler = runIntakeReconciler({ db, temporal, calendar, config, logger }, config.INTAKE_RECONCILE_INTERVAL_SECONDS * 1000, {
    olderThanMs: 2 * TEMPORAL_CALL_TIMEOUT_MS,
  });
  // Files stored by uploads that never got recorded (cut off, crashed) are removed after the grace period.
  const orphanSweep = runPeriodically(() => sweepOrphanAttachments(db, attachmentStore, config.ATTACHMENT_ORPHAN_GRACE * 1000), 10 * 60_000, (error) =>
    logger.warn({ err: error.message }, 'attachment orphan sweep failed'),
  );
  await runUntilSignal(async () => {
    await orphanSweep.stop();
    await reconciler.stop();
    await operations.close();
    await app.close();
    await signalRelay.stop();
    await temporal.connection.close();
    await db.$disconnect();
  });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
