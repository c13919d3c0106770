import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../runtime/embedded-postgres';
import { applyMigrations } from '../../runtime/migrations';
import { startTemporalDevServer } from '../../runtime/temporal-dev-server';
import { freePort } from './free-port';

/**
 * One real PostgreSQL and one real Temporal dev server for the whole suite. With DATABASE_URL or
 * TEMPORAL_ADDRESS set (CI against a real PostgreSQL or cluster), those are used instead.
 */
export default async function globalSetup(): Promise<void> {
  const stops: (() => Promise<void>)[] = [];
  if (!process.env.DATABASE_URL) {
    const database = await startEmbeddedPostgres({
      dataDir: mkdtempSync(join(tmpdir(), 'lien-thong-test-pg-')),
      port: await freePort(),
      database: 'lien_thong_test',
    });
    stops.push(() => database.stop());
    process.env.DATABASE_URL = database.url;
  }
  await applyMigrations(process.env.DATABASE_URL as string);
  if (!process.env.TEMPORAL_ADDRESS) {
    const temporal = await startTemporalDevServer({ port: await freePort() });
    stops.push(() => temporal.stop());
    process.env.TEMPORAL_ADDRESS = temporal.address;
  }
  (globalThis as { __stopTestServers?: () => Promise<void> }).__stopTestServers = async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
