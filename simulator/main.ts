import { loadSettings } from '../runtime/config';
import { createLogger } from '../runtime/logger';
import { runUntilSignal } from '../runtime/process';
import { buildSimulator } from './app';
import { portalSubmitterSettings } from './settings';

async function main(): Promise<void> {
  const config = loadSettings(['simulator']);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'agency-simulator' });
  const portalSubmitter = portalSubmitterSettings();
  const app = buildSimulator({ logger, portalSubmitter });
  const address = await app.listen({ host: config.SIMULATOR_HOST, port: config.SIMULATOR_PORT });
  logger.info({ url: address, portalFilingEverySeconds: portalSubmitter.apiUrl ? portalSubmitter.intervalSeconds : 0 }, 'agency simulator listening');
  await runUntilSignal(() => app.close());
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
