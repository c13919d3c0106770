import { setMaxListeners } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

/** What every benchmark needs around its measurement: options, batches, time limits, clean-up. */

/** Options given as `--flag value` or by environment variable, the flag winning. */
export function benchOptions(flags: string[]) {
  const { values } = parseArgs({ options: Object.fromEntries(flags.map((flag) => [flag, { type: 'string' as const }])) });
  const raw = (flag: string, variable: string): string | undefined => (values as Record<string, string | undefined>)[flag] ?? process.env[variable];
  const parse = (flag: string, variable: string, text: string, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${flag} / ${variable}: expected an integer ≥ ${min}, got '${text}'`);
    return value;
  };
  return {
    integer(flag: string, variable: string, fallback: number, min: number): number {
      const text = raw(flag, variable);
      return text === undefined || text === '' ? fallback : parse(flag, variable, text, min);
    },
    /** A comma list of integers, e.g. `1,2,3`. */
    integers(flag: string, variable: string, fallback: number[], min: number): number[] {
      const text = raw(flag, variable);
      return text === undefined || text === '' ? fallback : text.split(',').map((part) => parse(flag, variable, part.trim(), min));
    },
  };
}

export interface BatchResult {
  label: string;
  wallMs: number;
  cpuMs: number;
  /** CPU of the process's main thread (its event loop: every JS callback outside worker threads). */
  mainThreadCpuMs: number;
  /** CPU of the processes this one started (PostgreSQL's backends, the Temporal dev server), by command name. */
  childCpuMs: Record<string, number>;
  /** The batch on the monotonic clock (µs) of `node --cpu-prof`, for `bench/profile-summary.ts --from --to`. */
  window: { fromUs: number; toUs: number };
  latencies: number[];
  failures: string[];
}

/**
 * Command name, parent and CPU (ms) of a process or thread, from its /proc stat file (Linux). With
 * `reaped`, the CPU of its children that exited counts too (PostgreSQL's backends end with their connection).
 */
function procStat(path: string, reaped = false): { name: string; parent: number; cpuMs: number } {
  const stat = readFileSync(path, 'utf8');
  // After the command name: the parent is the 2nd field; utime, stime, cutime, cstime the 12th to 15th, in ticks of 10 ms.
  const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const cpu = ticks[11]! + ticks[12]! + (reaped ? ticks[13]! + ticks[14]! : 0);
  return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), parent: ticks[1]!, cpuMs: cpu * 10 };
}

/** CPU time (ms) of this process's main thread; NaN where there is no /proc. */
export function mainThreadCpuMs(): number {
  try {
    return procStat(`/proc/self/task/${process.pid}/stat`).cpuMs;
  } catch {
    return Number.NaN;
  }
}

/** CPU time (ms) of every live descendant of this process, summed by command name; empty where there is no /proc. */
export function childCpuMs(): Record<string, number> {
  const processes = new Map<number, ReturnType<typeof procStat>>();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        processes.set(Number(entry), procStat(`/proc/${entry}/stat`, true));
      } catch {
        // Exited meanwhile.
      }
    }
  } catch {
    return {};
  }
  const byName: Record<string, number> = {};
  for (const [pid, stat] of processes) {
    let up = stat.parent;
    while (up > 1 && up !== process.pid) up = processes.get(up)?.parent ?? 0;
    if (up === process.pid && pid !== process.pid) byName[stat.name] = (byName[stat.name] ?? 0) + stat.cpuMs;
  }
  return byName;
}

const cpuSince = (before: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(childCpuMs()).map(([name, ms]) => [name, ms - (before[name] ?? 0)]));

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * Runs `count` jobs with at most `concurrency` in flight, each timed on its own; stops starting jobs
 * once the run is aborted. Each job gets its own signal, linked to the run's while it runs: fetch
 * and the Temporal client leave their listeners on a signal until it is garbage-collected.
 */
export async function runBatch(
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
  const mainBefore = mainThreadCpuMs();
  const childrenBefore = childCpuMs();
  const fromUs = monotonicUs();
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const window = { fromUs, toUs: monotonicUs() };
  return { label, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, mainThreadCpuMs: mainThreadCpuMs() - mainBefore, childCpuMs: cpuSince(childrenBefore), window, latencies, failures };
}

/** Bounds a promise in time, so nothing the benchmark waits for can hang it. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What was started, stopped in reverse order, each step bounded in time; late registrations stop at once. */
export class Cleanup {
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

/**
 * Runs a benchmark to its exit code, then exits. Whatever ends the run early — the time limit,
 * Ctrl-C, a crash, the parent process gone — aborts what is in flight (`onAbort` first, e.g. to
 * silence the expected errors), then everything registered in the clean-up is stopped.
 */
export function runBench(
  settings: { timeoutSeconds: number; concurrency: number; onAbort?: () => void },
  bench: (signal: AbortSignal, cleanup: Cleanup) => Promise<number>,
): void {
  const main = async (): Promise<number> => {
    const stop = new AbortController();
    // One listener per job in flight, plus the harness's own.
    setMaxListeners(settings.concurrency + 10, stop.signal);
    let quiet = false;
    const abort = (reason: Error): void => {
      if (stop.signal.aborted) return void (quiet || console.error(`bench: ${reason.message}`));
      settings.onAbort?.();
      stop.abort(reason);
    };
    const deadline = setTimeout(() => abort(new Error(`not finished within ${settings.timeoutSeconds}s`)), settings.timeoutSeconds * 1000);
    const onSignal = (signal: NodeJS.Signals): void => {
      console.error(`bench: ${signal}, stopping everything it started`);
      abort(new Error(`interrupted (${signal})`));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('uncaughtException', abort);
    // Output piped into a reader that went away (`| head`): printing the error would raise it again, forever.
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', () => {
        quiet = true;
        abort(new Error('output closed'));
      });
    }
    // `npm run` does not pass a signal it receives on to this process: stop when orphaned as well.
    const parent = process.ppid;
    const orphaned = setInterval(() => process.ppid !== parent && abort(new Error('the parent process exited')), 1000);
    const aborted = new Promise<never>((_, reject) => stop.signal.addEventListener('abort', () => reject(stop.signal.reason as Error)));

    const cleanup = new Cleanup();
    const run = bench(stop.signal, cleanup);
    try {
      return await Promise.race([run, aborted]);
    } finally {
      clearTimeout(deadline);
      clearInterval(orphaned);
      if (!stop.signal.aborted) abort(new Error('finished'));
      // Let aborted requests unwind before their connections close.
      await within(run, 15_000, 'aborting').catch(() => undefined);
      await cleanup.run();
    }
  };
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`bench failed: ${(error as Error).message ?? String(error)}`);
      process.exit(1);
    },
  );
}
