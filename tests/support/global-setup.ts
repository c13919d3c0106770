import { startScratchServers } from '../../runtime/scratch-servers';
import { buildConsole } from './browser';

/**
 * One real PostgreSQL and one real Temporal dev server for the whole suite. With DATABASE_URL or
 * TEMPORAL_ADDRESS set (CI against a real PostgreSQL or cluster), those are used instead.
 */
export default async function globalSetup(): Promise<void> {
  // The console the API serves in the tests is the one of these sources, built once per run.
  buildConsole();
  const servers = await startScratchServers({ database: 'lien_thong_test' });
  // The tests sign development tokens with the development secret.
  process.env.LIEN_THONG_DEV_MODE = 'true';
  process.env.DATABASE_URL = servers.databaseUrl;
  process.env.TEMPORAL_ADDRESS = servers.temporalAddress;
  (globalThis as { __stopTestServers?: () => Promise<void> }).__stopTestServers = () => servers.stop();
}
