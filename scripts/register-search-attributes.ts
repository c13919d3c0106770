import { Connection } from '@temporalio/client';
import { loadConfig, requireSetting } from '../runtime/config';
import { createLogger } from '../runtime/logger';
import { registerSearchAttributes } from '../runtime/search-attributes';

/** Registers the dossier search attributes on the cluster's namespace (idempotent): a deployment's one-off job. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'search-attributes' });
  const connection = await Connection.connect({ address: requireSetting(config, 'TEMPORAL_ADDRESS') });
  try {
    await registerSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
    logger.info({ namespace: config.TEMPORAL_NAMESPACE }, 'search attributes registered');
  } finally {
    await connection.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
