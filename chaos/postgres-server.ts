import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { startSystemPostgres } from '../runtime/system-postgres';

/**
 * PostgreSQL for the fault-injection suite and the scale bench, in a process of its own:
 * `<dataDir> <port> [embedded|system]` (the embedded-postgres package by default, or the machine's own
 * server). Prints its URL once it accepts connections, then stays up until killed (its server is
 * killed with it or by the suite, which SIGKILLs the postmaster itself).
 */
async function main(): Promise<void> {
  const [dataDir, port, kind = 'embedded'] = process.argv.slice(2);
  if (!dataDir || !port || !['embedded', 'system'].includes(kind)) throw new Error('usage: postgres-server <dataDir> <port> [embedded|system]');
  const start = kind === 'system' ? startSystemPostgres : startEmbeddedPostgres;
  const database = await start({ dataDir, port: Number(port), database: 'lien_thong' });
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
