import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/app';
import { buildOperationsApi } from '../../api/operations';
import { runMessageRelay } from '../../api/message-outbox';
import { portalOutbox } from '../../api/portal-outbox';
import { signalOutbox } from '../../api/signal-outbox';
import { taskDecisionOutbox } from '../../api/task-inbox';
import { devTokens, type DevPrincipalName } from '../../api/auth/dev-tokens';
import { groupOutcomeStatuses } from '../../domain/statuses';
import { createWorkingCalendar } from '../../domain/working-days';
import { loadConfig, requireSetting, type Config } from '../../runtime/config';
import { createDatabase, type Database } from '../../runtime/database';
import { createLogger } from '../../runtime/logger';
import { Registry } from 'prom-client';
import { createApiRegistry, createWorkerMetrics } from '../../runtime/metrics';
import { createDatabaseMetricsSource } from '../../runtime/metrics-source';
import { buildSimulator } from '../../simulator/app';
import { simulatorSettings } from '../../simulator/settings';
import type { PeriodicJob } from '../../runtime/periodic';
import { connectTemporalClient } from '../../runtime/temporal';
import { configuredActivities, configuredNotificationRelay, createDossierWorker } from '../../worker/create-worker';
import { prebuiltBundle } from '../../worker/workflow-bundle';

export interface Stack {
  apiUrl: string;
  /** The API's operations port: /metrics, /docs, the probes. */
  opsUrl: string;
  simulatorUrl: string;
  db: Database;
  temporal: Client;
  config: Config;
  /** The worker running now (replaced by startWorker). */
  worker: Worker;
  /** Stops the worker (graceful shutdown) and its notification relay: workflows and tasks wait in Temporal meanwhile. */
  stopWorker(): Promise<void>;
  /** Starts a new worker on the same task queue, as after a crash or a deployment. */
  startWorker(): Promise<void>;
  tokens: Record<DevPrincipalName, string>;
  /** The dossier's status as the clerk sees it. */
  status(dossierNumber: string): Promise<any>;
  /** Waits until the dossier's group has ended, and returns its status. */
  untilEnded(dossierNumber: string): Promise<any>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Whether the API relays recorded messages (bulk decisions, task decisions) as in production; off, a test drives delivery. */
  signalRelay?: boolean;
}

let runtimeInstalled = false;

/** A dossier's statuses once its group has ended, for comparing with a status read from an answer. */
export const endedStatuses: readonly string[] = groupOutcomeStatuses;

/**
 * The real parts, wired as in production: the API and the agency simulator over real HTTP, a worker
 * on the suite's Temporal dev server, the suite's PostgreSQL. Each test file gets its own task queue.
 */
export async function startStack(overrides: Partial<Record<keyof Config, string>> = {}, options: StackOptions = {}): Promise<Stack> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
    runtimeInstalled = true;
  }
  const simulator = buildSimulator();
  const simulatorUrl = await simulator.listen({ host: '127.0.0.1', port: 0 });
  let config: Config;
  try {
    config = loadConfig({
      ...process.env,
      LOG_LEVEL: 'warn',
      TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
      STEP_RETRY_INITIAL_MS: '50',
      STEP_RETRY_MAX_MS: '200',
      STEP_MAX_ATTEMPTS: '5',
      NOTIFICATION_RETRY_INITIAL_MS: '100',
      NOTIFICATION_RETRY_MAX_MS: '500',
      AGENCY_TIMEOUT_MS: '5000',
      ...simulatorSettings(simulatorUrl),
      ...overrides,
    });
  } catch (error) {
    await simulator.close();
    throw error;
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  const db = createDatabase(config.DATABASE_URL as string, 5);

  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const activities = configuredActivities(config, { db, logger, metrics: createWorkerMetrics(new Registry()) });
  // The bundle `npm install` made, when it is of these sources: each test file then skips bundling.
  const workflowBundle = prebuiltBundle();
  const newWorker = () =>
    createDossierWorker({ ...(workflowBundle ? { workflowBundle } : {}), connection: nativeConnection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, activities });
  // As in worker/main.ts: the worker process relays announcements to the gateway (the simulator's).
  const newRelay = () => configuredNotificationRelay(config, { db, logger }, 200);
  let worker: Worker = await newWorker();
  let workerRun: Promise<void> | undefined = worker.run();
  let relay: PeriodicJob | undefined = newRelay();
  const stopWorker = async () => {
    await relay?.stop();
    relay = undefined;
    if (!workerRun) return;
    worker.shutdown();
    await workerRun;
    workerRun = undefined;
  };
  const startWorker = async () => {
    relay ??= newRelay();
    if (workerRun) return;
    worker = await newWorker();
    workerRun = worker.run();
  };

  const temporal = await connectTemporalClient(config, requireSetting(config, 'TEMPORAL_ADDRESS'));
  const metrics = { registry: createApiRegistry(createDatabaseMetricsSource(db, { portalMaxAttempts: config.PORTAL_MAX_ATTEMPTS })) };
  const signalRelay =
    options.signalRelay === false
      ? undefined
      : runMessageRelay({ db, temporal, logger }, [signalOutbox(temporal), taskDecisionOutbox(temporal), portalOutbox(config)], { concurrency: config.BULK_DECISION_CONCURRENCY });
  const api: FastifyInstance = await buildApi({
    db,
    temporal,
    config,
    logger,
    calendar: createWorkingCalendar({ cutoffHour: config.INTAKE_CUTOFF_HOUR }),
    ...(signalRelay ? { signalRelay } : {}),
  });
  const apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });
  // As api/main.ts: /metrics, /docs and the probes on a port of their own.
  const operations = await buildOperationsApi(api, { db, temporal, logger, metrics });
  const opsUrl = await operations.listen({ host: '127.0.0.1', port: 0 });

  const tokens = await devTokens(config);
  const status = async (dossierNumber: string) => (await getJson(`${apiUrl}/v1/dossiers/${encodeURIComponent(dossierNumber)}`, tokens.clerk)).body;
  return {
    apiUrl,
    opsUrl,
    tokens,
    status,
    untilEnded: (dossierNumber: string) =>
      eventually(async () => {
        const body = await status(dossierNumber);
        return endedStatuses.includes(body.status) ? body : undefined;
      }),
    simulatorUrl,
    db,
    temporal,
    config,
    get worker() {
      return worker;
    },
    stopWorker,
    startWorker,
    stop: async () => {
      await operations.close();
      await api.close();
      await signalRelay?.stop();
      await stopWorker();
      await nativeConnection.close();
      await temporal.connection.close();
      await simulator.close();
      await db.$disconnect();
    },
  };
}

const bearer = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

export async function postJson(url: string, body: unknown, token?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(token), ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

export async function getJson(url: string, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { headers: bearer(token) });
  return { status: response.status, body: await response.json() };
}

/** Polls until `check` returns a value or the time runs out (the workflow runs asynchronously). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function setAgencyFaults(simulatorUrl: string, agency: string, faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${simulatorUrl}/_control/agencies/${agency}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!response.ok) throw new Error(`simulator refused fault settings: ${response.status}`);
}
