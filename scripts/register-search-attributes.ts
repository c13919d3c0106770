import { Connection, isGrpcServiceError } from '@temporalio/client';
import { loadSettings, requireSetting } from '../runtime/config';
import { createLogger } from '../runtime/logger';
import { registerSearchAttributes } from '../runtime/search-attributes';

/** Registers the dossier search attributes on the cluster's namespace (idempotent): a deployment's one-off job. */
async function main(): Promise<void> {
  const config = loadSettings(['temporal']);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'search-attributes' });
  const connection = await Connection.connect({ address: requireSetting(config, 'TEMPORAL_ADDRESS') });
  try {
    await registerSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
    logger.info({ namespace: config.TEMPORAL_NAMESPACE }, 'search attributes registered');
  } catch (error) {
    // The namespace is the cluster operator's to create (retention is theirs to choose): say how.
    const notFound = 5; // gRPC NOT_FOUND
    if (isGrpcServiceError(error) && error.code === notFound) {
      throw new Error(
        `namespace ${config.TEMPORAL_NAMESPACE} does not exist on ${config.TEMPORAL_ADDRESS}: create it first, e.g. ` +
          `temporal operator namespace create --namespace ${config.TEMPORAL_NAMESPACE} --retention 30d --address ${config.TEMPORAL_ADDRESS}`,
      );
    }
    throw error;
  } finally {
    await connection.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
