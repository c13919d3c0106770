import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { makeTelemetryFilterString, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createHttpAgencyGateway } from '../activities/agency-gateway';
import { Registry } from 'prom-client';
import { buildApi } from '../api/app';
import { devTokens } from '../api/auth/dev-tokens';
import { createWorkingCalendar } from '../domain/working-days';
import { createWorkerMetrics } from '../runtime/metrics';
import { loadConfig } from '../runtime/config';
import { createDatabase } from '../runtime/database';
import { createLogger } from '../runtime/logger';
import { startScratchServers } from '../runtime/scratch-servers';
import { buildSimulator } from '../simulator/app';
// The tests' sample intake (all four procedures); shared rather than copied.
import { birthIntake } from '../tests/support/fixtures';
import { createDossierWorker } from '../worker/create-worker';
import type { GroupOutcome } from '../workflows/contract';
import type { BaselineActivities, baselineWorkflow } from './baseline-workflow';

/**
 * `npm run bench`: N birth groups (all four procedures) through the real path — HTTP intake, API,
 * PostgreSQL, Temporal, worker, agency simulator with zero latency and no faults — then N runs of a
 * baseline workflow of the same shape whose activities do nothing, on the same Temporal server and
 * at the same concurrency. Prints throughput and latency (intake to workflow result) of both, and
 * the ratios. Everything it starts runs on loopback and is stopped at the end, on error or on Ctrl-C.
 *
 * Options (flag or environment): --groups / BENCH_GROUPS (200), --concurrency / BENCH_CONCURRENCY
 * (32 groups in flight), --warmup / BENCH_WARMUP (20 of each, not measured), --timeout /
 * BENCH_TIMEOUT_SECONDS (600, for the whole run). DATABASE_URL / TEMPORAL_ADDRESS use existing servers.
 */

interface Options {
  groups: number;
  concurrency: number;
  warmup: number;
  timeoutSeconds: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      groups: { type: 'string' },
      concurrency: { type: 'string' },
      warmup: { type: 'string' },
      timeout: { type: 'string' },
    },
  });
  const integer = (flag: string, variable: string, fallback: number, min: number): number => {
    const raw = values[flag as keyof typeof values] ?? process.env[variable];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${flag} / ${variable}: expected an integer ≥ ${min}, got '${raw}'`);
    return value;
  };
  return {
    groups: integer('groups', 'BENCH_GROUPS', 200, 1),
    concurrency: integer('concurrency', 'BENCH_CONCURRENCY', 32, 1),
    warmup: integer('warmup', 'BENCH_WARMUP', 20, 0),
    timeoutSeconds: integer('timeout', 'BENCH_TIMEOUT_SECONDS', 600, 10),
  };
}

interface BatchResult {
  label: string;
  wallMs: number;
  cpuMs: number;
  latencies: number[];
  failures: string[];
}

/**
 * Runs `count` jobs with at most `concurrency` in flight, each timed on its own; stops starting jobs
 * once the run is aborted. Each job gets its own signal, linked to the run's while it runs: fetch
 * and the Temporal client leave their listeners on a signal until it is garbage-collected.
 */
async function runBatch(
  label: string,
  count: number,
  concurrency: number,
  signal: AbortSignal,
  job: (index: number, signal: AbortSignal) => Promise<void>,
): Promise<BatchResult> {
  const latencies: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count && !signal.aborted) {
      const index = next++;
      const jobAbort = new AbortController();
      const forward = (): void => jobAbort.abort(signal.reason);
      signal.addEventListener('abort', forward, { once: true });
      const started = performance.now();
      try {
        await job(index, jobAbort.signal);
        latencies.push(performance.now() - started);
      } catch (error) {
        failures.push((error as Error).message);
      } finally {
        signal.removeEventListener('abort', forward);
      }
    }
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { label, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, latencies, failures };
}

/** Nearest-rank percentile. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

function summarise(result: BatchResult) {
  const sorted = [...result.latencies].sort((a, b) => a - b);
  return {
    ...result,
    n: result.latencies.length + result.failures.length,
    throughput: result.latencies.length / (result.wallMs / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

function printReport(options: Options, poolSize: number, batches: BatchResult[]): void {
  const rows = batches.map(summarise);
  const columns = ['', 'N', 'wall s', 'groups/s', 'p50 ms', 'p99 ms', 'max ms', 'cpu s*', 'cpu ms/group*', 'failed'];
  const table = [
    columns,
    ...rows.map((r) => [
      r.label,
      String(r.n),
      (r.wallMs / 1000).toFixed(2),
      r.throughput.toFixed(1),
      r.p50.toFixed(0),
      r.p99.toFixed(0),
      r.max.toFixed(0),
      (r.cpuMs / 1000).toFixed(2),
      (r.cpuMs / r.n).toFixed(1),
      String(r.failures.length),
    ]),
  ];
  const widths = columns.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('   ');
  const out: string[] = ['', `Results (${options.concurrency} in flight, database pool ${poolSize} per process):`, line(table[0] ?? [])];
  for (const row of table.slice(1)) out.push(line(row));
  const [birth, baseline] = rows;
  if (birth && baseline) {
    out.push(
      '',
      `birth group / baseline:  throughput ×${(birth.throughput / baseline.throughput).toFixed(2)}` +
        `   p50 ×${(birth.p50 / baseline.p50).toFixed(2)}   p99 ×${(birth.p99 / baseline.p99).toFixed(2)}`,
    );
  }
  const memory = process.memoryUsage();
  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  out.push(
    `process memory:  rss ${mb(memory.rss)}   heap used ${mb(memory.heapUsed)} of ${mb(memory.heapTotal)}   external ${mb(memory.external)}`,
    '* CPU time of this process (API, worker, simulator, client; all threads) during the batch; PostgreSQL and Temporal are other processes.',
  );
  for (const r of rows) {
    if (r.failures.length > 0) out.push(`${r.label}: ${r.failures.length} failed, first: ${r.failures[0]}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Warnings and errors only, for the API, the activities and the Temporal SDK alike. */
const logger = createLogger({ level: 'warn', name: 'bench' });

/** Bounds a promise in time, so nothing the benchmark waits for can hang it. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What was started, stopped in reverse order, each step bounded in time; late registrations stop at once. */
class Cleanup {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];
  private started = false;

  add(name: string, run: () => Promise<unknown>): void {
    if (this.started) void this.stopOne({ name, run });
    else this.steps.push({ name, run });
  }

  async run(): Promise<void> {
    this.started = true;
    for (const step of this.steps.splice(0).reverse()) await this.stopOne(step);
  }

  private stopOne(step: { name: string; run: () => Promise<unknown> }): Promise<void> {
    return within(step.run(), 20_000, `stopping ${step.name}`).then(
      () => undefined,
      (error: Error) => console.error(`bench: ${error.message}`),
    );
  }
}

/** Starts the whole stack, warms up, then measures the birth group and the baseline. */
async function benchmark(options: Options, signal: AbortSignal, cleanup: Cleanup): Promise<BatchResult[]> {
  const setupStarted = performance.now();
  const servers = await startScratchServers({ database: 'lien_thong_bench' });
  cleanup.add('PostgreSQL and Temporal', () => servers.stop());
  const config = loadConfig({
    ...process.env,
    // The bench signs development tokens for its scratch stack.
    LIEN_THONG_DEV_MODE: 'true',
    LOG_LEVEL: 'warn',
    DATABASE_URL: servers.databaseUrl,
    TEMPORAL_ADDRESS: servers.temporalAddress,
    TEMPORAL_TASK_QUEUE: `bench-birth-${randomUUID()}`,
  });
  const baselineQueue = `bench-baseline-${randomUUID()}`;

  const simulator = buildSimulator();
  const simulatorUrl = await simulator.listen({ host: '127.0.0.1', port: 0 });
  cleanup.add('simulator', () => simulator.close());

  // The API and the worker are separate processes in production, each with its own pool.
  const apiDb = createDatabase(servers.databaseUrl, config.DATABASE_POOL_SIZE);
  const workerDb = createDatabase(servers.databaseUrl, config.DATABASE_POOL_SIZE);
  cleanup.add('database pools', () => Promise.all([apiDb.$disconnect(), workerDb.$disconnect()]));

  const connection = await Connection.connect({ address: servers.temporalAddress });
  cleanup.add('Temporal client', () => connection.close());
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });

  const calendar = createWorkingCalendar({ cutoffHour: config.INTAKE_CUTOFF_HOUR });
  const nativeConnection = await NativeConnection.connect({ address: servers.temporalAddress });
  cleanup.add('worker connection', () => nativeConnection.close());
  const baselineActivities: BaselineActivities = { noop: async () => undefined };
  const [birthWorker, baselineWorker] = await Promise.all([
    createDossierWorker({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activities: {
        db: workerDb,
        logger,
        calendar,
        metrics: createWorkerMetrics(new Registry()),
        agencies: createHttpAgencyGateway({ baseUrl: simulatorUrl, timeoutMs: config.AGENCY_TIMEOUT_MS }),
      },
    }),
    Worker.create({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: baselineQueue,
      workflowsPath: require.resolve('./baseline-workflow'),
      activities: baselineActivities,
    }),
  ]);
  // A worker that stops on its own ends the benchmark instead of leaving it waiting for results.
  const running = (worker: Worker, name: string): Promise<never> => {
    const run = worker.run();
    cleanup.add(name, async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await run.catch(() => undefined);
    });
    return run.then(
      () => Promise.reject(new Error(`${name} stopped during the benchmark`)),
      (error: Error) => Promise.reject(new Error(`${name} failed: ${error.message}`)),
    );
  };
  const workerDown = Promise.race([running(birthWorker, 'birth worker'), running(baselineWorker, 'baseline worker')]);
  workerDown.catch(() => undefined);

  const api = await buildApi({ db: apiDb, temporal, config, logger, calendar });
  // Intake is the clerk's: the bench files its dossiers as the development clerk of commune 79/26734.
  const { clerk } = await devTokens(config);
  const apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });
  cleanup.add('API', () => api.close());

  process.stdout.write(
    `bench: ${options.groups} birth groups and ${options.groups} baseline workflows, ${options.concurrency} in flight, ` +
      `${options.warmup} of each to warm up; Temporal ${process.env.TEMPORAL_ADDRESS ? 'external' : 'dev server'}, ` +
      `PostgreSQL ${process.env.DATABASE_URL ? 'external' : 'embedded'}; ready in ${((performance.now() - setupStarted) / 1000).toFixed(1)}s\n`,
  );

  /** Birth groups: intake over HTTP as a desk submits it, then the workflow's result. */
  const birthBatch = (label: string, count: number): Promise<BatchResult> => {
    const bodies = Array.from({ length: count }, () => JSON.stringify(birthIntake()));
    return runBatch(label, count, options.concurrency, signal, async (index, jobSignal) => {
      const response = await fetch(`${apiUrl}/v1/dossiers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${clerk}` },
        body: bodies[index],
        signal: jobSignal,
      });
      const receipt = (await response.json()) as { workflowId?: string; detail?: string };
      if (response.status !== 201 || !receipt.workflowId) throw new Error(`intake answered ${response.status} ${receipt.detail ?? ''}`);
      const workflowId = receipt.workflowId;
      const outcome = (await temporal.withAbortSignal(jobSignal, () => temporal.workflow.getHandle(workflowId).result())) as GroupOutcome;
      if (outcome.status !== 'COMPLETED') throw new Error(`group ended ${outcome.status}`);
    });
  };
  /** Baseline: the same shape of workflow, started directly, its activities doing nothing. */
  const baselineBatch = (label: string, count: number): Promise<BatchResult> =>
    runBatch(label, count, options.concurrency, signal, (_index, jobSignal) =>
      temporal.withAbortSignal(jobSignal, async () => {
        const handle = await temporal.workflow.start<typeof baselineWorkflow>('baselineWorkflow', {
          taskQueue: baselineQueue,
          workflowId: `bench-baseline-${randomUUID()}`,
        });
        await handle.result();
      }),
    );

  const measure = async (): Promise<BatchResult[]> => {
    if (options.warmup > 0) {
      for (const warm of [await birthBatch('warm-up birth', options.warmup), await baselineBatch('warm-up baseline', options.warmup)]) {
        if (warm.failures.length > 0) throw new Error(`${warm.label}: ${warm.failures.length} failed, first: ${warm.failures[0]}`);
      }
    }
    const birth = await birthBatch('birth group', options.groups);
    const baseline = await baselineBatch('baseline', options.groups);
    if (signal.aborted) throw signal.reason;
    printReport(options, config.DATABASE_POOL_SIZE, [birth, baseline]);
    return [birth, baseline];
  };
  return Promise.race([measure(), workerDown]);
}

async function main(): Promise<number> {
  const options = readOptions();
  Runtime.install({
    logger: {
      log: (level, message, meta) => (level === 'WARN' || level === 'ERROR' ? logger[level === 'WARN' ? 'warn' : 'error'](meta ?? {}, message) : undefined),
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: (message, meta) => logger.warn(meta ?? {}, message),
      error: (message, meta) => logger.error(meta ?? {}, message),
    },
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } },
    // The benchmark stops its workers itself, after what is in flight is aborted.
    shutdownSignals: [],
  });

  // Whatever ends the run early — the time limit, Ctrl-C, a crash — aborts what is in flight, then cleans up.
  const stop = new AbortController();
  // One listener per job in flight, plus this function's own.
  setMaxListeners(options.concurrency + 10, stop.signal);
  const abort = (reason: Error): void => {
    if (stop.signal.aborted) return void console.error(`bench: ${reason.message}`);
    // Steps failing while everything stops are expected: keep the output to the reason.
    logger.level = 'silent';
    stop.abort(reason);
  };
  const deadline = setTimeout(() => abort(new Error(`not finished within ${options.timeoutSeconds}s`)), options.timeoutSeconds * 1000);
  const onSignal = (signal: NodeJS.Signals): void => {
    console.error(`bench: ${signal}, stopping everything it started`);
    abort(new Error(`interrupted (${signal})`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', abort);
  // `npm run` does not pass a signal it receives on to this process: stop when orphaned as well.
  const parent = process.ppid;
  const orphaned = setInterval(() => process.ppid !== parent && abort(new Error('the parent process exited')), 1000);
  const aborted = new Promise<never>((_, reject) => stop.signal.addEventListener('abort', () => reject(stop.signal.reason as Error)));

  const cleanup = new Cleanup();
  const run = benchmark(options, stop.signal, cleanup);
  try {
    const batches = await Promise.race([run, aborted]);
    return batches.some((b) => b.failures.length > 0) ? 1 : 0;
  } finally {
    clearTimeout(deadline);
    clearInterval(orphaned);
    if (!stop.signal.aborted) abort(new Error('finished'));
    // Let aborted requests unwind before their connections close.
    await within(run, 15_000, 'aborting').catch(() => undefined);
    await cleanup.run();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${(error as Error).message ?? String(error)}`);
    process.exit(1);
  },
);
