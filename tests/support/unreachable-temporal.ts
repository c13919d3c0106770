import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../runtime/free-port';

/**
 * A client of a Temporal server that is not there: every call fails at once. Without the default
 * retry interceptor, so no retry timer outlives `connection.close()` into the next test file
 * ("Channel has been shut down").
 */
export async function unreachableTemporal(namespace: string): Promise<Client> {
  const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: [] });
  return new Client({ connection, namespace });
}
