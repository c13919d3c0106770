import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';

export async function connectTemporalClient(config: Pick<Config, 'TEMPORAL_NAMESPACE'>, address: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}

/**
 * A client that connects on first use: the API starts and takes intakes while Temporal is down
 * (the intake reconciler starts their workflows once it is back).
 */
export function lazyTemporalClient(config: Pick<Config, 'TEMPORAL_NAMESPACE'>, address: string): Client {
  return new Client({ connection: Connection.lazy({ address }), namespace: config.TEMPORAL_NAMESPACE });
}
