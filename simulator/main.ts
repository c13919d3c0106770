import { loadSettings } from '../runtime/config';
import { createLogger } from '../runtime/logger';
import { runUntilSignal } from '../runtime/process';
import { buildSimulator } from './app';

async function main(): Promise<void> {
  const config = loadSettings(['simulator']);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'agency-simulator' });
  const app = buildSimulator({ logger });
  const address = await app.listen({ host: config.SIMULATOR_HOST, port: config.SIMULATOR_PORT });
  logger.info({ url: address }, 'agency simulator listening');
  await runUntilSignal(() => app.close());
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
