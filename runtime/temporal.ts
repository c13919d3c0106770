import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';

export async function connectTemporalClient(config: Pick<Config, 'TEMPORAL_NAMESPACE'>, address: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}
