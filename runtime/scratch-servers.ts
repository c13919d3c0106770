import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres';
import { freePort } from './free-port';
import { applyMigrations } from './migrations';
import { startTemporalDevServer } from './temporal-dev-server';

export interface ScratchServers {
  databaseUrl: string;
  temporalAddress: string;
  /** Stops what was started here and deletes its data; servers given by the environment are left alone. */
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL (temporary folder, free port) and Temporal dev server (free port, in memory,
 * no UI) for the test suite and the benchmark, migrated and ready. With DATABASE_URL or
 * TEMPORAL_ADDRESS set (CI against a real PostgreSQL or cluster), those are used instead. If a start
 * fails, whatever had started is stopped before the error is thrown.
 */
export async function startScratchServers(options: { database: string; env?: NodeJS.ProcessEnv }): Promise<ScratchServers> {
  const env = options.env ?? process.env;
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const step of stops.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    let databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      const dataDir = mkdtempSync(join(tmpdir(), `${options.database}-pg-`));
      // Also on an abrupt exit (embedded-postgres stops its server on SIGINT/SIGTERM, then exits).
      const removeOnExit = (): void => rmSync(dataDir, { recursive: true, force: true });
      process.once('exit', removeOnExit);
      stops.push(async () => {
        process.removeListener('exit', removeOnExit);
        await rm(dataDir, { recursive: true, force: true });
      });
      const database = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: options.database });
      stops.push(() => database.stop());
      databaseUrl = database.url;
    }
    await applyMigrations(databaseUrl);
    let temporalAddress = env.TEMPORAL_ADDRESS;
    if (!temporalAddress) {
      const temporal = await startTemporalDevServer({ port: await freePort() });
      stops.push(() => temporal.stop());
      temporalAddress = temporal.address;
    }
    return { databaseUrl, temporalAddress, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
