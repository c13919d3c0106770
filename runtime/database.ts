import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { Prisma, PrismaClient } from '../prisma/generated/client';

export type Database = PrismaClient;

export function createDatabase(databaseUrl: string, poolSize = 10): Database {
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize });
  // A connection PostgreSQL drops (a restart) while the pool has handed it out emits 'error' on its
  // client, which pg-pool then leaves without a listener: unhandled, it ended the whole process. Heard
  // here, it only fails the query that uses the connection, and the pool discards it on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
}

export { Prisma };
export type { Dossier } from '../prisma/generated/client';

/**
 * Codes written into a statement as SQL literals (`'RUNNING', 'INCIDENT'`), not bound: the planner
 * then sees them when it plans, as a partial index's predicate needs. For the code's own vocabularies
 * only (capitals and underscores, checked), never for input.
 */
export function sqlLiterals(codes: readonly string[]): Prisma.Sql {
  const other = codes.find((code) => !/^[A-Z_]+$/.test(code));
  if (other !== undefined) throw new Error(`not a code: ${JSON.stringify(other)}`);
  return Prisma.raw(codes.map((code) => `'${code}'`).join(', '));
}
