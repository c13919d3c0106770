import { loadSettings, requireSetting } from '../runtime/config';
import { createLogger } from '../runtime/logger';
import { applyMigrations } from '../runtime/migrations';

/**
 * Applies the database migrations and exits: the migration job of a deployment, run once before new
 * workers and API instances start (each also applies them at start, which is then a no-op).
 */
async function main(): Promise<void> {
  const config = loadSettings(['database']);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'migrate' });
  const { applied } = await applyMigrations(requireSetting(config, 'DATABASE_URL'));
  logger.info({ applied }, 'database migrated');
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
