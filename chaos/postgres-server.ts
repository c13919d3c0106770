import { startEmbeddedPostgres } from '../runtime/embedded-postgres';

/**
 * PostgreSQL for the fault-injection suite, in a process of its own: `<dataDir> <port>`. Prints its
 * URL once it accepts connections, then stays up until killed (its server is killed with it or by
 * the suite, which SIGKILLs the postmaster itself).
 */
async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  if (!dataDir || !port) throw new Error('usage: postgres-server <dataDir> <port>');
  const database = await startEmbeddedPostgres({ dataDir, port: Number(port), database: 'lien_thong' });
  process.stdout.write(`${database.url}\n`);
  const stop = () => void database.stop().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  setInterval(() => undefined, 60_000);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
