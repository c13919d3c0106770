import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../prisma/generated/client';

export type Database = PrismaClient;

export function createDatabase(databaseUrl: string, poolSize = 10): Database {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }) });
}

export { Prisma } from '../prisma/generated/client';
export type { Dossier } from '../prisma/generated/client';
