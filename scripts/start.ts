import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { developmentTokensAllowed, devPrincipals, devTokens } from '../api/auth/dev-tokens';
import { signToken } from '../api/auth/tokens';
import { loadConfig } from '../runtime/config';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { createLogger } from '../runtime/logger';
import { applyMigrations } from '../runtime/migrations';
import { supervise, type SupervisedProcess } from '../runtime/supervisor';
import { startTemporalDevServer } from '../runtime/temporal-dev-server';
import { consoleBuildArgs, projectRoot } from '../runtime/tools';
import { notificationGatewayPath } from '../simulator/notification-gateway';
import { portalPath } from '../simulator/portal';
import { portalSubmitterSettings } from '../simulator/settings';

/**
 * `npm start`: the whole system on one machine. Starts what is not given by the environment
 * (Temporal dev server unless TEMPORAL_ADDRESS, embedded PostgreSQL unless DATABASE_URL, the agency
 * simulator unless AGENCY_BASE_URL), applies migrations, then runs the worker and the API as their
 * own processes, exactly as they run in production. Every part started here is restarted when it
 * dies, the servers on the same port and data. Ctrl-C stops everything.
 */
async function main(): Promise<void> {
  // `npm start` is the development stack: development secret and printed tokens allowed (children inherit it).
  process.env.LIEN_THONG_DEV_MODE ??= 'true';
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'start' });
  const dataDir = resolve(projectRoot, config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  // A part that dies is restarted (backoff 1 s doubling to 30 s); only Ctrl-C stops the stack.
  const supervision = { logger };
  const servers: SupervisedProcess[] = [];
  const services: SupervisedProcess[] = [];
  let stopping = false;

  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      logger.info('stopping');
      // Ctrl-C reaches every process at once: one exiting while the others stop is not a crash.
      for (const part of [...servers, ...services]) part.release();
      await Promise.all(services.map((s) => s.stop()));
      for (const server of servers.reverse()) await server.stop().catch(() => undefined);
    }
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  try {
    let temporalAddress = config.TEMPORAL_ADDRESS;
    let temporalUiUrl = config.TEMPORAL_UI_URL;
    if (!temporalAddress) {
      // The same port and SQLite file at each restart: running workflows carry on where they were.
      const devServerOptions = {
        port: config.TEMPORAL_DEV_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        dbFile: join(dataDir, 'temporal.sqlite'),
        namespace: config.TEMPORAL_NAMESPACE,
      };
      const temporal = supervise('temporal-dev-server', () => startTemporalDevServer(devServerOptions), supervision);
      servers.push(temporal);
      const server = await temporal.started;
      temporalAddress = server.address;
      temporalUiUrl = server.uiUrl;
    }

    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const postgresOptions = { dataDir: join(dataDir, 'postgres'), port: config.EMBEDDED_POSTGRES_PORT, database: 'lien_thong' };
      const postgres = supervise('embedded-postgres', () => startEmbeddedPostgres(postgresOptions), supervision);
      servers.push(postgres);
      databaseUrl = (await postgres.started).url;
    }
    // Always rebuilt (a couple of seconds): the console served is the one of the sources checked out.
    await Promise.all([buildConsole(), runScript('scripts/build-workflow-bundle.ts')]);
    const migrations = await applyMigrations(databaseUrl);
    logger.info({ applied: migrations.applied }, 'database migrated');

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: temporalAddress,
      DATABASE_URL: databaseUrl,
      ...(temporalUiUrl ? { TEMPORAL_UI_URL: temporalUiUrl } : {}),
    };
    const simulatorUrl = `http://${config.SIMULATOR_HOST}:${config.SIMULATOR_PORT}`;
    const api = `http://${config.API_HOST}:${config.API_PORT}`;
    const service = (entry: string, serviceEnv: NodeJS.ProcessEnv) => supervise(entry, () => runService(entry, serviceEnv), supervision);
    // The simulator plays the portal filing too, as the printed `portal` identity, so the whole online path shows.
    const simulatedPortal: NodeJS.ProcessEnv = {
      SIMULATOR_API_URL: env.SIMULATOR_API_URL ?? api,
      ...(env.SIMULATOR_PORTAL_TOKEN || !developmentTokensAllowed(config) ? {} : { SIMULATOR_PORTAL_TOKEN: await signToken(config, devPrincipals.portal) }),
    };
    const portalFiling = !config.AGENCY_BASE_URL && Boolean(simulatedPortal.SIMULATOR_PORTAL_TOKEN ?? env.SIMULATOR_PORTAL_TOKEN);
    if (!config.AGENCY_BASE_URL) {
      services.push(service('simulator/main.ts', { ...env, ...simulatedPortal }));
      env.AGENCY_BASE_URL = simulatorUrl;
      // The simulator plays the notification gateway too: announcements show at /_control/notifications.
      env.NOTIFICATION_GATEWAY_URL ??= `${simulatorUrl}${notificationGatewayPath}`;
      // And the national public service portal: status messages of portal dossiers show at /_control/portal.
      env.PORTAL_URL ??= `${simulatorUrl}${portalPath}`;
    }
    services.push(service('worker/main.ts', env), service('api/main.ts', env));

    const operations = `http://${config.API_OPS_HOST}:${config.API_OPS_PORT}`;
    const workerMetrics =
      config.WORKER_METRICS_PORT === 0
        ? '(off: WORKER_METRICS_PORT=0)'
        : `http://${config.WORKER_METRICS_HOST}:${config.WORKER_METRICS_PORT}/metrics` +
          (config.TEMPORAL_SDK_METRICS_PORT === 0 ? '' : ' (with Temporal SDK core metrics)');
    process.stdout.write(
      [
        '',
        'Liên thông is starting:',
        `  Console        ${api}/console/   (sign in as any development identity)`,
        `  API            ${api}/v1/dossiers`,
        `  OpenAPI docs   ${operations}/docs   (the API's operations port)`,
        `  API metrics    ${operations}/metrics`,
        `  Worker metrics ${workerMetrics}`,
        `  Temporal UI    ${temporalUiUrl ?? '(external cluster)'}`,
        `  Temporal       ${temporalAddress}`,
        `  Agencies       ${env.AGENCY_BASE_URL}${config.AGENCY_BASE_URL ? '' : ' (simulator)'}`,
        `  Notifications  ${env.NOTIFICATION_GATEWAY_URL ?? '(recorded only: NOTIFICATION_GATEWAY_URL unset)'}`,
        `  Portal         ${env.PORTAL_URL ?? '(recorded only: PORTAL_URL unset)'}`,
        `  Portal filing  ${portalFiling ? `${portalFilingEvery({ ...env, ...simulatedPortal })} (simulator, as the portal identity): ${simulatorUrl}/_control/portal/submissions` : '(off: no simulator or no portal token)'}`,
        `  Database       ${config.DATABASE_URL ? 'external PostgreSQL' : `embedded PostgreSQL in ${join(config.DATA_DIR, 'postgres')}`}`,
        '',
        ...(developmentTokensAllowed(config)
          ? [
              'Development tokens (Authorization: Bearer <token>; `npm run token` issues others):',
              ...Object.entries(await devTokens(config)).map(([name, token]) => `  ${name.padEnd(26)} ${token}`),
            ]
          : ['Development tokens: none (AUTH_JWT_SECRET is private; `npm run token` issues tokens under it)']),
        '',
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    logger.error({ err: (error as Error).message }, 'start failed');
    await stopAll(1);
  }
}

/** How often the simulated portal files a birth dossier, as SIMULATOR_PORTAL_SUBMIT_EVERY_SECONDS says (0: off). */
function portalFilingEvery(env: NodeJS.ProcessEnv): string {
  const seconds = portalSubmitterSettings(env).intervalSeconds ?? 0;
  return seconds > 0 ? `a birth dossier every ${seconds} s` : 'on demand only (POST)';
}

function buildConsole(): Promise<void> {
  return run([...consoleBuildArgs, '--logLevel', 'warn'], 'console build');
}

function runScript(entry: string): Promise<void> {
  return run(['--import', 'tsx', join(projectRoot, entry)], entry);
}

/** A build step as a child process of this Node, its output on this terminal. */
function run(args: string[], what: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${what} failed (exit ${code})`))));
  });
}

/** The service is the child itself (tsx as a loader, not a wrapper process), so its crash and its stop are seen directly. */
function runService(entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(projectRoot, entry)], { env, stdio: 'inherit', cwd: projectRoot });
}

void main();
