import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { makeTelemetryFilterString, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Registry } from 'prom-client';
import { buildApi } from '../api/app';
import { devTokens } from '../api/auth/dev-tokens';
import { createWorkingCalendar } from '../domain/working-days';
import { createWorkerMetrics } from '../runtime/metrics';
import { loadConfig } from '../runtime/config';
import { createDatabase } from '../runtime/database';
import { createLogger } from '../runtime/logger';
import { startScratchServers } from '../runtime/scratch-servers';
import { connectTemporalClient } from '../runtime/temporal';
import { buildSimulator } from '../simulator/app';
import { simulatorSettings } from '../simulator/settings';
import { configuredActivities, createDossierWorker } from '../worker/create-worker';
import type { BaselineActivities, baselineWorkflow } from './baseline-workflow';
import { groupBatch } from './group-batch';
import { benchOptions, runBatch, runBench, type BatchResult, type Cleanup } from './harness';
import { formatTable, ratio, summariseLatencies } from './report';

/**
 * `npm run bench`: N birth groups (all four procedures) through the real path — HTTP intake, API,
 * PostgreSQL, Temporal, worker, agency simulator with zero latency and no faults — then N runs of a
 * baseline workflow of the same shape whose activities do nothing, on the same Temporal server and
 * at the same concurrency; then the same for N death groups (all three procedures) and their baseline. Prints throughput and latency (intake to workflow result) of both, and
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
  const option = benchOptions(['groups', 'concurrency', 'warmup', 'timeout']);
  return {
    groups: option.integer('groups', 'BENCH_GROUPS', 200, 1),
    concurrency: option.integer('concurrency', 'BENCH_CONCURRENCY', 32, 1),
    warmup: option.integer('warmup', 'BENCH_WARMUP', 20, 0),
    timeoutSeconds: option.integer('timeout', 'BENCH_TIMEOUT_SECONDS', 600, 10),
  };
}

/** CPU of the servers the bench started, by their command names (other servers, DATABASE_URL / TEMPORAL_ADDRESS, are not seen). */
const serverCpuMs = (result: BatchResult, name: RegExp): number =>
  Object.entries(result.childCpuMs).reduce((sum, [command, ms]) => (name.test(command) ? sum + ms : sum), 0);

function summarise(result: BatchResult) {
  return {
    ...result,
    n: result.latencies.length + result.failures.length,
    postgresCpuMs: serverCpuMs(result, /^postgres/),
    temporalCpuMs: serverCpuMs(result, /^temporal/),
    ...summariseLatencies(result.latencies, result.wallMs),
  };
}

function printReport(options: Options, poolSize: number, batches: BatchResult[]): void {
  const rows = batches.map(summarise);
  const columns = ['', 'N', 'wall s', 'groups/s', 'p50 ms', 'p99 ms', 'max ms', 'cpu s*', 'cpu ms/group*', 'main thread**', 'PostgreSQL***', 'Temporal***', 'failed'];
  const table = formatTable(
    columns,
    rows.map((r) => [
      r.label,
      String(r.n),
      (r.wallMs / 1000).toFixed(2),
      r.throughput.toFixed(1),
      r.p50.toFixed(0),
      r.p99.toFixed(0),
      r.max.toFixed(0),
      (r.cpuMs / 1000).toFixed(2),
      (r.cpuMs / r.n).toFixed(1),
      (r.mainThreadCpuMs / r.n).toFixed(1),
      (r.postgresCpuMs / r.n).toFixed(1),
      (r.temporalCpuMs / r.n).toFixed(1),
      String(r.failures.length),
    ]),
  );
  const out: string[] = ['', `Results (${options.concurrency} in flight, database pool ${poolSize} per process):`, ...table, ''];
  // Rows come in pairs: a group, then the baseline of its shape.
  for (let i = 0; i + 1 < rows.length; i += 2) {
    const [group, baseline] = [rows[i]!, rows[i + 1]!];
    // The hot path's targets: throughput ≥ ×0.8 of the baseline, p50 ≤ ×1.3, CPU ≤ 25 ms per group.
    const met = group.throughput >= 0.8 * baseline.throughput && group.p50 <= 1.3 * baseline.p50 && group.cpuMs / group.n <= 25;
    out.push(
      `${group.label} / baseline:  throughput ${ratio(group.throughput, baseline.throughput)} (≥ ×0.8)   p50 ${ratio(group.p50, baseline.p50)} (≤ ×1.3)` +
        `   p99 ${ratio(group.p99, baseline.p99)}   cpu ms/group ${(group.cpuMs / group.n).toFixed(1)} (≤ 25)   targets ${met ? 'met' : 'not met'}`,
    );
  }
  const memory = process.memoryUsage();
  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  out.push(
    `process memory:  rss ${mb(memory.rss)}   heap used ${mb(memory.heapUsed)} of ${mb(memory.heapTotal)}   external ${mb(memory.external)}`,
    '* CPU time of this process (API, worker, simulator, client; all threads) during the batch; PostgreSQL and Temporal are other processes.',
    '** ms/group of that on the main thread: every JS callback but the workflow code; the rest is the workflow threads, Temporal core (Rust), V8 helpers.',
    '*** ms/group of CPU in the PostgreSQL server and the Temporal dev server the bench started (0 when it uses existing ones).',
  );
  // Under `node --cpu-prof`: each batch's window, for `bench/profile-summary.ts --from --to`.
  if (process.execArgv.some((arg) => arg.startsWith('--cpu-prof'))) {
    for (const r of rows) out.push(`profile window ${r.label}: --from ${r.window.fromUs} --to ${r.window.toUs}`);
  }
  for (const r of rows) {
    if (r.failures.length > 0) out.push(`${r.label}: ${r.failures.length} failed, first: ${r.failures[0]}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Warnings and errors only, for the API, the activities and the Temporal SDK alike. */
const logger = createLogger({ level: 'warn', name: 'bench' });

/** Starts the whole stack, warms up, then measures the birth group and the baseline. */
async function benchmark(options: Options, signal: AbortSignal, cleanup: Cleanup): Promise<BatchResult[]> {
  const setupStarted = performance.now();
  const servers = await startScratchServers({ database: 'lien_thong_bench' });
  cleanup.add('PostgreSQL and Temporal', () => servers.stop());
  const simulator = buildSimulator();
  const simulatorUrl = await simulator.listen({ host: '127.0.0.1', port: 0 });
  cleanup.add('simulator', () => simulator.close());
  const config = loadConfig({
    ...process.env,
    // The bench signs development tokens for its scratch stack.
    LIEN_THONG_DEV_MODE: 'true',
    LOG_LEVEL: 'warn',
    DATABASE_URL: servers.databaseUrl,
    TEMPORAL_ADDRESS: servers.temporalAddress,
    TEMPORAL_TASK_QUEUE: `bench-birth-${randomUUID()}`,
    ...simulatorSettings(simulatorUrl),
  });
  const baselineQueue = `bench-baseline-${randomUUID()}`;

  // The API and the worker are separate processes in production, each with its own pool.
  const apiDb = createDatabase(servers.databaseUrl, config.DATABASE_POOL_SIZE);
  const workerDb = createDatabase(servers.databaseUrl, config.DATABASE_POOL_SIZE);
  cleanup.add('database pools', () => Promise.all([apiDb.$disconnect(), workerDb.$disconnect()]));

  const temporal = await connectTemporalClient(config, servers.temporalAddress);
  cleanup.add('Temporal client', () => temporal.connection.close());

  const calendar = createWorkingCalendar({ cutoffHour: config.INTAKE_CUTOFF_HOUR });
  const nativeConnection = await NativeConnection.connect({ address: servers.temporalAddress });
  cleanup.add('worker connection', () => nativeConnection.close());
  const baselineActivities: BaselineActivities = { noop: async () => undefined };
  const [birthWorker, baselineWorker] = await Promise.all([
    createDossierWorker({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activities: configuredActivities(config, { db: workerDb, logger, metrics: createWorkerMetrics(new Registry()) }),
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
  // Intake is the clerk's: the bench files its dossiers as the development clerk of commune 79/26743.
  const { clerk } = await devTokens(config);
  const apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });
  cleanup.add('API', () => api.close());

  process.stdout.write(
    `bench: ${options.groups} birth groups, ${options.groups} death groups and as many baseline workflows of each shape, ${options.concurrency} in flight, ` +
      `${options.warmup} of each to warm up; Temporal ${process.env.TEMPORAL_ADDRESS ? 'external' : 'dev server'}, ` +
      `PostgreSQL ${process.env.DATABASE_URL ? 'external' : 'embedded'}; ready in ${((performance.now() - setupStarted) / 1000).toFixed(1)}s\n`,
  );

  const filedBatch = (group: 'BIRTH' | 'DEATH') => (label: string, count: number): Promise<BatchResult> =>
    groupBatch({ label, group, count, concurrency: options.concurrency, apiUrl, clerkToken: clerk, temporal, signal });
  /** Baseline: the same shape of workflow, started directly, its activities doing nothing. */
  const baselineBatch = (workflowType: 'baselineWorkflow' | 'deathBaselineWorkflow') => (label: string, count: number): Promise<BatchResult> =>
    runBatch(label, count, options.concurrency, signal, (_index, jobSignal) =>
      temporal.withAbortSignal(jobSignal, async () => {
        const handle = await temporal.workflow.start<typeof baselineWorkflow>(workflowType, {
          taskQueue: baselineQueue,
          workflowId: `bench-baseline-${randomUUID()}`,
        });
        await handle.result();
      }),
    );
  // Each group against the baseline of its own shape, measured right after it.
  const pairs = [
    { group: filedBatch('BIRTH'), baseline: baselineBatch('baselineWorkflow'), name: 'birth' },
    { group: filedBatch('DEATH'), baseline: baselineBatch('deathBaselineWorkflow'), name: 'death' },
  ];

  const measure = async (): Promise<BatchResult[]> => {
    if (options.warmup > 0) {
      for (const pair of pairs) {
        for (const warm of [await pair.group(`warm-up ${pair.name}`, options.warmup), await pair.baseline(`warm-up ${pair.name} baseline`, options.warmup)]) {
          if (warm.failures.length > 0) throw new Error(`${warm.label}: ${warm.failures.length} failed, first: ${warm.failures[0]}`);
        }
      }
    }
    const batches: BatchResult[] = [];
    for (const pair of pairs) {
      batches.push(await pair.group(`${pair.name} group`, options.groups), await pair.baseline(`${pair.name} baseline`, options.groups));
    }
    if (signal.aborted) throw signal.reason;
    printReport(options, config.DATABASE_POOL_SIZE, batches);
    return batches;
  };
  return Promise.race([measure(), workerDown]);
}

function main(): void {
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
  runBench(
    {
      timeoutSeconds: options.timeoutSeconds,
      concurrency: options.concurrency,
      // Steps failing while everything stops are expected: keep the output to the reason.
      onAbort: () => void (logger.level = 'silent'),
    },
    async (signal, cleanup) => ((await benchmark(options, signal, cleanup)).some((b) => b.failures.length > 0) ? 1 : 0),
  );
}

main();
