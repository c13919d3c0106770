import { loadavg } from 'node:os';
import { endedStatuses, query } from '../chaos/audit';
import { startChaosStack, type ChaosStack } from '../chaos/stack';
import { sampleIntakes } from './group-batch';
import { benchOptions, runBench } from './harness';
import { openLoop, type OpenLoopRequest, type OpenLoopResult } from './open-loop';
import { processCpuMs } from './process-stats';
import { formatTable, percentile, ratio } from './report';

/**
 * `npm run bench:intake`: latency of `POST /v1/dossiers` under an open-loop load (a fixed arrival rate,
 * `bench/open-loop.ts`), while the worker runs the groups against the agency simulator. API, worker,
 * simulator, PostgreSQL and Temporal (in memory) are separate processes (`chaos/stack.ts`).
 *
 * Windows, in this order, each after the groups of the previous one have ended:
 * - a step search over `--rates` (each `--step-duration` seconds): the highest rate held with p99 < 200 ms
 *   and no errors;
 * - the target: `--rate` intakes a second for `--duration` seconds (target: 100/s for 60 s, p99 < 50 ms, no
 *   error);
 * - the baselines, with the worker stopped: the same intakes at the same rate (HTTP, validation, the
 *   dossier's insert, the workflow's start: the intake alone), then `GET /health` at that rate.
 * Printed per window: rate target and achieved, p50/p90/p99/max, errors and non-2xx answers, the API
 * process's CPU per request (from /proc), the cores the API and the worker used, the load average.
 *
 * Options (flag or environment): --rate / BENCH_RATE (100), --duration / BENCH_DURATION_SECONDS (60),
 * --rates / BENCH_RATES (10,20,40,60,80,100), --step-duration / BENCH_STEP_SECONDS (15), --settle /
 * BENCH_SETTLE_SECONDS (900: longest wait for a window's groups to end), --timeout /
 * BENCH_TIMEOUT_SECONDS (3600, whole run).
 */

interface Options {
  rate: number;
  duration: number;
  rates: number[];
  stepDuration: number;
  settleSeconds: number;
  timeoutSeconds: number;
}

function readOptions(): Options {
  const option = benchOptions(['rate', 'duration', 'rates', 'step-duration', 'settle', 'timeout']);
  return {
    rate: option.integer('rate', 'BENCH_RATE', 100, 1),
    duration: option.integer('duration', 'BENCH_DURATION_SECONDS', 60, 1),
    rates: option.integers('rates', 'BENCH_RATES', [10, 20, 40, 60, 80, 100], 1),
    stepDuration: option.integer('step-duration', 'BENCH_STEP_SECONDS', 15, 1),
    settleSeconds: option.integer('settle', 'BENCH_SETTLE_SECONDS', 900, 0),
    timeoutSeconds: option.integer('timeout', 'BENCH_TIMEOUT_SECONDS', 3600, 10),
  };
}

interface Window extends OpenLoopResult {
  kind: 'search' | 'target' | 'baseline';
  /** CPU of the API process over the window, in ms. */
  apiCpuMs: number;
  workerCpuMs: number;
  temporalCpuMs: number;
  /** One-minute load average at the window's end. */
  load: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const answered = (w: OpenLoopResult): number => w.latencies.length + Object.values(w.non2xx).reduce((a, b) => a + b, 0);
const failed = (w: OpenLoopResult): number => w.errors + Object.values(w.non2xx).reduce((a, b) => a + b, 0);
const latency = (w: OpenLoopResult) => {
  const sorted = [...w.latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN };
};
/** Held: the rate achieved (within 5 %), no error, p99 under the bound. */
const held = (w: OpenLoopResult, p99Ms: number): boolean => w.achieved >= 0.95 * w.target && failed(w) === 0 && latency(w).p99 < p99Ms;

const running = async (stack: ChaosStack): Promise<number> =>
  (await query<{ n: number }>(stack.databaseUrl, 'SELECT count(*)::int AS n FROM dossier WHERE status <> ALL($1)', [endedStatuses]))[0]!.n;

/** Waits until every group filed so far has ended, so that each window starts with the worker idle. */
async function settle(stack: ChaosStack, options: Options, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + options.settleSeconds * 1000;
  const started = Date.now();
  let left = await running(stack);
  if (left === 0) return;
  process.stdout.write(`  waiting for ${left} groups to end… `);
  while (left > 0 && Date.now() < deadline && !signal.aborted) {
    await sleep(2000);
    left = await running(stack);
  }
  process.stdout.write(left === 0 ? `${((Date.now() - started) / 1000).toFixed(0)} s\n` : `${left} still running after ${options.settleSeconds} s, measuring anyway\n`);
}

async function measure(stack: ChaosStack, kind: Window['kind'], label: string, rate: number, seconds: number, request: OpenLoopRequest, signal: AbortSignal): Promise<Window> {
  const pids = stack.pids();
  const cpu = () => ({
    api: processCpuMs(pids.apis[0]!),
    worker: pids.workers.reduce((sum, pid) => sum + processCpuMs(pid), 0),
    temporal: processCpuMs(pids.temporal),
  });
  const before = cpu();
  const result = await openLoop({ label, url: stack.apiUrl, rate, seconds, request, signal });
  const after = cpu();
  const window: Window = {
    ...result,
    kind,
    apiCpuMs: after.api - before.api,
    workerCpuMs: after.worker - before.worker,
    temporalCpuMs: after.temporal - before.temporal,
    load: loadavg()[0]!,
  };
  const { p99 } = latency(window);
  process.stdout.write(`  ${label}: achieved ${window.achieved.toFixed(1)}/s, p99 ${p99.toFixed(0)} ms, ${failed(window)} failed, load ${window.load.toFixed(2)}\n`);
  return window;
}

function printReport(options: Options, windows: Window[]): void {
  const cores = (cpuMs: number, w: Window) => (cpuMs / w.wallMs).toFixed(2);
  const table = formatTable(
    ['', 'target/s', 'achieved/s', 'N', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'non-2xx', 'API cpu ms/req', 'API cores', 'worker cores', 'Temporal cores', 'load 1m'],
    windows.map((w) => {
      const l = latency(w);
      return [
        w.label,
        String(w.target),
        w.achieved.toFixed(1),
        String(answered(w)),
        l.p50.toFixed(1),
        l.p90.toFixed(1),
        l.p99.toFixed(1),
        l.max.toFixed(0),
        String(w.errors),
        Object.entries(w.non2xx).map(([code, n]) => `${n}×${code}`).join(' ') || '0',
        (w.apiCpuMs / Math.max(1, answered(w))).toFixed(1),
        cores(w.apiCpuMs, w),
        cores(w.workerCpuMs, w),
        cores(w.temporalCpuMs, w),
        w.load.toFixed(2),
      ];
    }),
  );
  const out = ['', `Results (open loop, evenly spaced arrivals; API, worker, simulator, PostgreSQL, Temporal each a process; CPU from /proc):`, ...table, ''];
  const target = windows.find((w) => w.kind === 'target');
  const [alone, health] = windows.filter((w) => w.kind === 'baseline');
  if (target) {
    const l = latency(target);
    const met = target.achieved >= 0.95 * target.target && failed(target) === 0 && l.p99 < 50;
    out.push(
      `target ${options.rate}/s for ${options.duration} s: p99 ${l.p99.toFixed(1)} ms (< 50), ${failed(target)} failed (0), achieved ${target.achieved.toFixed(1)}/s — ${met ? 'met' : 'NOT met'}`,
    );
    if (alone) {
      const a = latency(alone);
      out.push(
        `target / intake with the worker stopped:  p50 ${ratio(l.p50, a.p50)}   p99 ${ratio(l.p99, a.p99)}   API cpu ms/req ${ratio(target.apiCpuMs / answered(target), alone.apiCpuMs / answered(alone))}`,
      );
    }
    if (health) {
      const h = latency(health);
      out.push(`target / GET /health:  p50 ${ratio(l.p50, h.p50)}   p99 ${ratio(l.p99, h.p99)}`);
    }
  }
  const search = windows.filter((w) => w.kind !== 'baseline');
  const best = search.filter((w) => held(w, 200)).sort((a, b) => b.target - a.target)[0];
  out.push(`highest rate held with p99 < 200 ms, no error and the rate achieved: ${best ? `${best.target}/s` : `none of ${options.rates.join(', ')}/s`}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function main(): void {
  const options = readOptions();
  runBench({ timeoutSeconds: options.timeoutSeconds, concurrency: 1 }, async (signal, cleanup) => {
    process.stdout.write(
      `bench:intake: search ${options.rates.join(', ')}/s for ${options.stepDuration} s each, then ${options.rate}/s for ${options.duration} s; ` +
        `baselines with the worker stopped\n`,
    );
    const stack = await startChaosStack({}, { temporalInMemory: true });
    cleanup.add('the stack', () => stack.stop());
    const intake: OpenLoopRequest = {
      method: 'POST',
      path: '/v1/dossiers',
      // The dossier number is the intake's idempotency key; no Idempotency-Key header applies to this route.
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tokens.clerk}` },
      body: () => JSON.stringify(sampleIntakes.BIRTH()),
    };
    const windows: Window[] = [];
    // JIT, pools and the workflow bundle's first runs; not reported.
    await measure(stack, 'search', 'warm-up', 10, 5, intake, signal);
    for (const rate of options.rates) {
      await settle(stack, options, signal);
      windows.push(await measure(stack, 'search', `${rate}/s`, rate, options.stepDuration, intake, signal));
    }
    await settle(stack, options, signal);
    windows.push(await measure(stack, 'target', `target ${options.rate}/s`, options.rate, options.duration, intake, signal));
    await stack.killWorker();
    windows.push(await measure(stack, 'baseline', 'intake, worker stopped', options.rate, options.duration, intake, signal));
    windows.push(await measure(stack, 'baseline', 'GET /health, worker stopped', options.rate, options.duration, { method: 'GET', path: '/health' }, signal));
    printReport(options, windows);
    return 0;
  });
}

main();
