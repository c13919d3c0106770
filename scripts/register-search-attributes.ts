import { setTimeout as sleep } from 'node:timers/promises';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { loadSettings, requireSetting } from '../runtime/config';
import { createLogger } from '../runtime/logger';
import { registerSearchAttributes } from '../runtime/search-attributes';

const notFound = 5; // gRPC NOT_FOUND
const isNotFound = (error: unknown): boolean => isGrpcServiceError(error) && error.code === notFound;

/** Registers the dossier search attributes on the cluster's namespace (idempotent): a deployment's one-off job. */
async function main(): Promise<void> {
  const config = loadSettings(['temporal']);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'search-attributes' });
  const connection = await Connection.connect({ address: requireSetting(config, 'TEMPORAL_ADDRESS') });
  const namespace = config.TEMPORAL_NAMESPACE;
  try {
    try {
      // Read from the cluster's metadata store: a missing namespace is named at once.
      await connection.workflowService.describeNamespace({ namespace });
    } catch (error) {
      // The namespace is the cluster operator's to create (retention is theirs to choose): say how.
      if (!isNotFound(error)) throw error;
      throw new Error(
        `namespace ${namespace} does not exist on ${config.TEMPORAL_ADDRESS}: create it first, e.g. ` +
          `temporal operator namespace create --namespace ${namespace} --retention 30d --address ${config.TEMPORAL_ADDRESS}`,
      );
    }
    // A namespace created a moment ago exists but each service learns of it at its next cache
    // refresh (about 10 s): until then registering answers NOT_FOUND, so wait that out.
    for (const deadline = Date.now() + 30_000; ; ) {
      try {
        await registerSearchAttributes(connection, namespace);
        break;
      } catch (error) {
        if (!isNotFound(error) || Date.now() > deadline) throw error;
        await sleep(1000);
      }
    }
    logger.info({ namespace }, 'search attributes registered');
  } finally {
    await connection.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
