import { Client } from 'pg';

/** A PostgreSQL server this project started for itself (embedded or the system's), and its database. */
export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

/** Creates the application's database on a fresh server; a restart on kept data finds it there. */
export async function ensureDatabase(admin: { port: number; user: string; password: string }, database: string): Promise<string> {
  const client = new Client({ host: '127.0.0.1', port: admin.port, user: admin.user, password: admin.password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  return `postgresql://${admin.user}:${admin.password}@127.0.0.1:${admin.port}/${database}`;
}
