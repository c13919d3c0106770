import { loadavg } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { startChaosStack, type ChaosStack } from '../chaos/stack';
import { freePort } from '../runtime/free-port';
import { groupBatch } from './group-batch';
import { benchOptions, runBench } from './harness';
import { megabytes, processMemory, prometheusGauges } from './process-stats';
import { formatTable, ratio } from './report';

/**
 * `npm run bench:memory`: memory of the worker and API processes as groups go through them. Birth
 * groups (all four procedures) are filed over HTTP and run by the real worker against the agency
 * simulator, every part its own process (`chaos/stack.ts`), `--concurrency` at a time; at each
 * checkpoint (`--groups`, cumulative: after 1,000 and after 10,000 groups), once the processes have
 * been idle for `--settle` seconds (V8 collects garbage when allocation stops), the bench reads each
 * process's resident memory from /proc (`VmRSS`, and the peak `VmHWM`) and its V8 heap from its
 * Prometheus endpoint. Target: the last checkpoint within 10 % of the first (no growth per group).
 *
 * Options (flag or environment): --groups / BENCH_GROUPS (1000,10000), --concurrency /
 * BENCH_CONCURRENCY (32), --settle / BENCH_SETTLE_SECONDS (20), --timeout / BENCH_TIMEOUT_SECONDS (7200).
 */

interface Options {
  checkpoints: number[];
  concurrency: number;
  settleSeconds: number;
  timeoutSeconds: number;
}

function readOptions(): Options {
  const option = benchOptions(['groups', 'concurrency', 'settle', 'timeout']);
  const checkpoints = option.integers('groups', 'BENCH_GROUPS', [1000, 10000], 1);
  if (checkpoints.some((n, i) => i > 0 && n <= checkpoints[i - 1]!)) throw new Error('--groups / BENCH_GROUPS: checkpoints must increase, e.g. 1000,10000');
  return {
    checkpoints,
    concurrency: option.integer('concurrency', 'BENCH_CONCURRENCY', 32, 1),
    settleSeconds: option.integer('settle', 'BENCH_SETTLE_SECONDS', 20, 0),
    timeoutSeconds: option.integer('timeout', 'BENCH_TIMEOUT_SECONDS', 7200, 10),
  };
}

interface ProcessMemory {
  rss: number;
  peakRss: number;
  heapUsed: number;
  heapTotal: number;
}

interface Checkpoint {
  groups: number;
  /** Groups per second of the batch that led here (none for the start). */
  throughput?: number;
  failed: number;
  worker: ProcessMemory;
  api: ProcessMemory;
  load: number;
}

const heapGauges = ['nodejs_heap_size_used_bytes', 'nodejs_heap_size_total_bytes'];

async function readMemory(pid: number, metricsUrl: string): Promise<ProcessMemory> {
  const heap = await prometheusGauges(metricsUrl, heapGauges);
  return { ...processMemory(pid), heapUsed: heap.nodejs_heap_size_used_bytes ?? Number.NaN, heapTotal: heap.nodejs_heap_size_total_bytes ?? Number.NaN };
}

async function checkpoint(stack: ChaosStack, workerMetricsUrl: string, settleSeconds: number, groups: number, batch?: { throughput: number; failed: number }): Promise<Checkpoint> {
  await new Promise((r) => setTimeout(r, settleSeconds * 1000));
  const pids = stack.pids();
  const point: Checkpoint = {
    groups,
    failed: batch?.failed ?? 0,
    ...(batch ? { throughput: batch.throughput } : {}),
    worker: await readMemory(pids.workers[0]!, workerMetricsUrl),
    api: await readMemory(pids.apis[0]!, `${stack.opsUrls[0]}/metrics`),
    load: loadavg()[0]!,
  };
  process.stdout.write(
    `  after ${groups} groups: worker rss ${megabytes(point.worker.rss)} MB, heap ${megabytes(point.worker.heapUsed)} MB; ` +
      `API rss ${megabytes(point.api.rss)} MB, heap ${megabytes(point.api.heapUsed)} MB; load ${point.load.toFixed(2)}\n`,
  );
  return point;
}

function printReport(options: Options, points: Checkpoint[]): void {
  const mb = (bytes: number) => megabytes(bytes);
  const table = formatTable(
    ['', 'groups/s', 'failed', 'worker rss MB', 'worker peak MB', 'worker heap MB', 'API rss MB', 'API peak MB', 'API heap MB', 'load 1m'],
    points.map((p) => [
      p.groups === 0 ? 'start' : `after ${p.groups} groups`,
      p.throughput === undefined ? '' : p.throughput.toFixed(1),
      String(p.failed),
      mb(p.worker.rss),
      mb(p.worker.peakRss),
      `${mb(p.worker.heapUsed)} of ${mb(p.worker.heapTotal)}`,
      mb(p.api.rss),
      mb(p.api.peakRss),
      `${mb(p.api.heapUsed)} of ${mb(p.api.heapTotal)}`,
      p.load.toFixed(2),
    ]),
  );
  const out = ['', `Results (${options.concurrency} groups in flight; ${options.settleSeconds} s idle before each reading; rss from /proc, heap used of total from /metrics):`, ...table, ''];
  const measured = points.filter((p) => p.groups > 0);
  const [first, last] = [measured[0], measured[measured.length - 1]];
  if (first && last && first !== last) {
    const within = (a: number, b: number) => a / b <= 1.1;
    out.push(
      `after ${last.groups} / after ${first.groups} groups:  worker rss ${ratio(last.worker.rss, first.worker.rss)}   heap ${ratio(last.worker.heapUsed, first.worker.heapUsed)}` +
        `   API rss ${ratio(last.api.rss, first.api.rss)}   heap ${ratio(last.api.heapUsed, first.api.heapUsed)}` +
        `  — target rss within 10 %: ${within(last.worker.rss, first.worker.rss) && within(last.api.rss, first.api.rss) ? 'met' : 'NOT met'}`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

function main(): void {
  const options = readOptions();
  runBench({ timeoutSeconds: options.timeoutSeconds, concurrency: options.concurrency }, async (signal, cleanup) => {
    process.stdout.write(`bench:memory: checkpoints after ${options.checkpoints.join(', ')} birth groups, ${options.concurrency} in flight\n`);
    const metricsPort = await freePort();
    const stack = await startChaosStack({ WORKER_METRICS_PORT: String(metricsPort) }, { temporalInMemory: true });
    cleanup.add('the stack', () => stack.stop());
    const workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const connection = await Connection.connect({ address: stack.temporalAddress });
    cleanup.add('the Temporal client', () => connection.close());
    const temporal = new Client({ connection });

    const points = [await checkpoint(stack, workerMetricsUrl, options.settleSeconds, 0)];
    let done = 0;
    for (const target of options.checkpoints) {
      const batch = await groupBatch({ label: `to ${target}`, count: target - done, concurrency: options.concurrency, apiUrl: stack.apiUrl, clerkToken: stack.tokens.clerk, temporal, signal });
      if (signal.aborted) throw signal.reason;
      done = target;
      points.push(await checkpoint(stack, workerMetricsUrl, options.settleSeconds, done, { throughput: batch.latencies.length / (batch.wallMs / 1000), failed: batch.failures.length }));
      if (batch.failures.length > 0) process.stdout.write(`  ${batch.failures.length} groups failed, first: ${batch.failures[0]}\n`);
    }
    printReport(options, points);
    return points.some((p) => p.failed > 0) ? 1 : 0;
  });
}

main();
