import { Client, Connection, type ScheduleHandle } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { actsAudit, endedStatuses, query } from '../chaos/audit';
import { startChaosStack, type ChaosStack } from '../chaos/stack';
import { setAgencyFaults } from '../tests/support/stack';
import { deadlineSweepScheduleId } from '../workflows/contract';
import { groupBatch } from './group-batch';
import { startEscalationReceiver, type EscalationReceiver } from './escalation-receiver';
import { benchOptions, runBench, within, type BatchResult, type Cleanup } from './harness';
import { formatTable, ratio, summariseLatencies } from './report';
import { startRoundRobinProxy } from './round-robin-proxy';

/**
 * `npm run bench:scale`: the system as a deployment runs it — every part its own OS process, the
 * machine's PostgreSQL server, the Temporal dev server — with 1, then 2 and 3 worker processes and
 * two API processes behind one round-robin address. For each configuration: throughput and latency of
 * N birth groups filed through that address, then the correctness a scale-out must keep — every group
 * completed, no act done twice, the deadline-sweep schedule created once however many workers raced
 * to create it, no escalation sent twice. Exits 1 if any check fails.
 *
 * Options (flag or environment): --groups / BENCH_GROUPS (200 per configuration), --concurrency /
 * BENCH_CONCURRENCY (32 in flight), --warmup / BENCH_WARMUP (10 per configuration, not measured),
 * --workers / BENCH_WORKERS (1,2,3), --apis / BENCH_APIS (2), --late-steps / BENCH_LATE_STEPS (10
 * overdue steps escalated per configuration), --timeout / BENCH_TIMEOUT_SECONDS (1800, whole run).
 */

interface Options {
  groups: number;
  concurrency: number;
  warmup: number;
  workers: number[];
  apis: number;
  lateSteps: number;
  timeoutSeconds: number;
}

function readOptions(): Options {
  const option = benchOptions(['groups', 'concurrency', 'warmup', 'workers', 'apis', 'late-steps', 'timeout']);
  return {
    groups: option.integer('groups', 'BENCH_GROUPS', 200, 1),
    concurrency: option.integer('concurrency', 'BENCH_CONCURRENCY', 32, 1),
    warmup: option.integer('warmup', 'BENCH_WARMUP', 10, 0),
    workers: option.integers('workers', 'BENCH_WORKERS', [1, 2, 3], 1),
    apis: option.integer('apis', 'BENCH_APIS', 2, 1),
    lateSteps: option.integer('late-steps', 'BENCH_LATE_STEPS', 10, 1),
    timeoutSeconds: option.integer('timeout', 'BENCH_TIMEOUT_SECONDS', 1800, 10),
  };
}

interface Correctness {
  /** Every dossier accepted in the configuration: warm-up, measured and escalated groups. */
  accepted: number;
  completed: number;
  lost: number;
  duplicateActs: number;
  schedules: number;
  pollers: number;
  escalationsExpected: number;
  escalationsSent: number;
  duplicateEscalations: number;
}

interface ConfigurationResult extends Correctness {
  workers: number;
  apis: number;
  batch: BatchResult;
  /** Connections the proxy handed to each API. */
  connections: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

async function until(check: () => Promise<boolean>, what: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (signal.aborted) throw signal.reason;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000}s`);
    await sleep(250);
  }
}

/** Distinct worker processes polling the workflow task queue. */
async function pollers(client: Client, taskQueue: string): Promise<number> {
  const { pollers: list } = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return new Set(list?.map((p) => p.identity)).size;
}

async function scheduleCount(client: Client): Promise<number> {
  let count = 0;
  for await (const _ of client.schedule.list()) count += 1;
  return count;
}

/**
 * Fires the deadline sweep `times` at once, as its schedule would if its interval came round while a
 * sweep still runs: under the schedule's own overlap policy (skip) one sweep runs — the schedule also
 * names each run by the second, so firings in the same second are one run. Waits until it has ended.
 */
async function fireSweep(sweep: ScheduleHandle, times: number, signal: AbortSignal): Promise<void> {
  const { policies, info } = await sweep.describe();
  await Promise.all(Array.from({ length: times }, () => sweep.trigger(policies.overlap)));
  await until(
    async () => {
      const now = (await sweep.describe()).info;
      return now.numActionsTaken > info.numActionsTaken && now.runningActions.length === 0;
    },
    'the deadline sweep',
    60_000,
    signal,
  );
}

/**
 * Overdue steps, escalated by the sweep over several workers: groups filed while the police are down
 * keep their residence step RUNNING (retried every 2 s); their deadline is moved into the past, as if
 * the police's working days had run out; the sweep is fired three times at once, then once more, and
 * the police come back so the groups complete. Each late step must reach the webhook exactly once.
 */
async function escalationRound(
  stack: ChaosStack,
  client: Client,
  receiver: EscalationReceiver,
  apiUrl: string,
  count: number,
  filed: (dossierNumber: string) => void,
  signal: AbortSignal,
): Promise<BatchResult> {
  await setAgencyFaults(stack.simulatorUrl, 'police', { outage: true });
  const late: string[] = [];
  const groups = groupBatch({
    label: 'late steps',
    count,
    concurrency: count,
    apiUrl,
    clerkToken: stack.tokens.clerk,
    temporal: client,
    signal,
    filed: (number) => {
      late.push(number);
      filed(number);
    },
  });
  const waiting = `SELECT count(*)::int AS n FROM dossier_step s JOIN dossier d ON d.id = s.dossier_id
     WHERE d.dossier_number = ANY($1) AND s.step = 'PERMANENT_RESIDENCE' AND s.status = 'RUNNING' AND s.due_at IS NOT NULL`;
  await until(async () => late.length === count && (await query<{ n: number }>(stack.databaseUrl, waiting, [late]))[0]?.n === count, 'residence steps waiting on the police', 60_000, signal);
  await query(
    stack.databaseUrl,
    `UPDATE dossier_step s SET due_at = now() - interval '1 minute' FROM dossier d
      WHERE d.id = s.dossier_id AND d.dossier_number = ANY($1) AND s.step = 'PERMANENT_RESIDENCE'`,
    [late],
  );
  const sweep = client.schedule.getHandle(deadlineSweepScheduleId);
  await fireSweep(sweep, 3, signal);
  // A shortfall is not thrown here: the report counts what was sent against what was due.
  await until(async () => receiver.counts().escalations >= count, 'escalations delivered', 60_000, signal).catch(() => undefined);
  // Everything is escalated and delivered by now: a later sweep must send nothing again.
  await fireSweep(sweep, 1, signal);
  await setAgencyFaults(stack.simulatorUrl, 'police', { outage: false });
  return within(groups, 120_000, 'the escalated groups');
}

/** One configuration on a fresh stack: warm-up, the measured batch, the escalations, then the checks. */
async function runConfiguration(options: Options, workers: number, receiver: EscalationReceiver, signal: AbortSignal, cleanup: Cleanup): Promise<ConfigurationResult> {
  const stops: (() => Promise<unknown>)[] = [];
  // Stopped at the end of the configuration; the run's clean-up stops whatever an abort left behind.
  const track = (name: string, stop: () => Promise<unknown>): void => {
    let stopping: Promise<unknown> | undefined;
    const once = () => (stopping ??= stop());
    stops.push(once);
    cleanup.add(name, once);
  };
  receiver.reset();
  const started = Date.now();
  const stack = await startChaosStack(
    // Retried every 2 s while the police are down, never given up: the overdue steps stay with the agency.
    { ESCALATION_WEBHOOK_URL: receiver.url, STEP_MAX_ATTEMPTS: '1000', STEP_RETRY_MAX_MS: '2000' },
    { workers, apis: options.apis, postgres: 'system' },
  );
  track('the stack', () => stack.stop());
  try {
    const proxy = await startRoundRobinProxy(stack.apiUrls);
    track('the proxy', () => proxy.close());
    const connection = await Connection.connect({ address: stack.temporalAddress });
    track('the Temporal client', () => connection.close());
    const client = new Client({ connection });
    await until(async () => (await pollers(client, stack.taskQueue)) >= workers, `${workers} workers polling`, 60_000, signal);
    process.stdout.write(`  ${plural(workers, 'worker')}, ${plural(options.apis, 'API')}: ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);

    const accepted: string[] = [];
    const batch = (label: string, count: number) =>
      groupBatch({ label, count, concurrency: options.concurrency, apiUrl: proxy.url, clerkToken: stack.tokens.clerk, temporal: client, signal, filed: (n) => accepted.push(n) });
    if (options.warmup > 0) {
      const warm = await batch('warm-up', options.warmup);
      if (warm.failures.length > 0) throw new Error(`warm-up: ${warm.failures.length} failed, first: ${warm.failures[0]}`);
    }
    const measured = await batch(plural(workers, 'worker'), options.groups);
    const escalated = await escalationRound(stack, client, receiver, proxy.url, options.lateSteps, (n) => accepted.push(n), signal);
    if (signal.aborted) throw signal.reason;

    const statuses = await query<{ status: string }>(stack.databaseUrl, 'SELECT status FROM dossier WHERE dossier_number = ANY($1)', [accepted]);
    const { duplicateActs } = await actsAudit(stack);
    const received = receiver.counts();
    return {
      workers,
      apis: options.apis,
      batch: { ...measured, failures: [...measured.failures, ...escalated.failures.map((f) => `late-step group: ${f}`)] },
      connections: proxy.connections(),
      accepted: accepted.length,
      completed: statuses.filter((s) => s.status === 'COMPLETED').length,
      lost: accepted.length - statuses.filter((s) => endedStatuses.includes(s.status)).length,
      duplicateActs,
      schedules: await scheduleCount(client),
      pollers: await pollers(client, stack.taskQueue),
      escalationsExpected: options.lateSteps,
      escalationsSent: received.escalations,
      duplicateEscalations: received.duplicates,
    };
  } catch (error) {
    // Said before the clean-up, whose own complaints (calls cut short) would otherwise come first.
    console.error(`bench: with ${plural(workers, 'worker')}: ${(error as Error).message}`);
    throw error;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

/** The checks a configuration must pass; each failure named. */
function problems(r: ConfigurationResult): string[] {
  const found: string[] = [];
  if (r.batch.failures.length > 0) found.push(`${r.batch.failures.length} groups failed, first: ${r.batch.failures[0]}`);
  if (r.completed !== r.accepted) found.push(`${r.completed} of ${r.accepted} accepted groups completed`);
  if (r.lost > 0) found.push(`${r.lost} groups lost`);
  if (r.duplicateActs > 0) found.push(`${r.duplicateActs} acts done twice`);
  if (r.schedules !== 1) found.push(`${r.schedules} schedules instead of the one deadline sweep`);
  if (r.pollers < r.workers) found.push(`${r.pollers} workers polling of ${r.workers}`);
  if (r.escalationsSent !== r.escalationsExpected) found.push(`${r.escalationsSent} of ${r.escalationsExpected} escalations sent`);
  if (r.duplicateEscalations > 0) found.push(`${r.duplicateEscalations} escalations sent twice`);
  return found;
}

function printReport(options: Options, results: ConfigurationResult[]): void {
  const rows = results.map((r) => ({ ...r, ...summariseLatencies(r.batch.latencies, r.batch.wallMs) }));
  const header = ['', 'N', 'wall s', 'groups/s', 'p50 ms', 'p99 ms', 'completed', 'lost', 'dup acts', 'schedules', 'escalations', 'dup escalations', 'API conns'];
  const table = formatTable(
    header,
    rows.map((r) => [
      `${plural(r.workers, 'worker')}, ${plural(r.apis, 'API')}`,
      String(r.batch.latencies.length + r.batch.failures.length),
      (r.batch.wallMs / 1000).toFixed(2),
      r.throughput.toFixed(1),
      r.p50.toFixed(0),
      r.p99.toFixed(0),
      `${r.completed}/${r.accepted}`,
      String(r.lost),
      String(r.duplicateActs),
      String(r.schedules),
      `${r.escalationsSent}/${r.escalationsExpected}`,
      String(r.duplicateEscalations),
      r.connections.join('/'),
    ]),
  );
  const out = ['', `Results (${options.concurrency} in flight through one address, system PostgreSQL, Temporal dev server):`, ...table];
  const [base, ...others] = rows;
  if (base) {
    out.push('');
    for (const r of others) {
      out.push(`${plural(r.workers, 'worker')} / ${plural(base.workers, 'worker')}:  throughput ${ratio(r.throughput, base.throughput)}   p50 ${ratio(r.p50, base.p50)}   p99 ${ratio(r.p99, base.p99)}`);
    }
  }
  out.push(
    'completed: of every group accepted (warm-up, measured, late-step groups); escalations: late steps announced / overdue; API conns: connections the proxy gave each API.',
  );
  for (const r of results) for (const problem of problems(r)) out.push(`FAILED with ${plural(r.workers, 'worker')}: ${problem}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function main(): void {
  const options = readOptions();
  runBench({ timeoutSeconds: options.timeoutSeconds, concurrency: Math.max(options.concurrency, options.lateSteps) }, async (signal, cleanup) => {
    process.stdout.write(
      `bench:scale: ${options.groups} birth groups per configuration (${options.warmup} to warm up, ${options.lateSteps} with a late step), ` +
        `${options.concurrency} in flight; workers ${options.workers.join(', ')}; ${options.apis} APIs behind one address\n`,
    );
    const receiver = await startEscalationReceiver();
    cleanup.add('the escalation receiver', () => receiver.close());
    const results: ConfigurationResult[] = [];
    for (const workers of options.workers) {
      const result = await runConfiguration(options, workers, receiver, signal, cleanup);
      results.push(result);
      const { throughput } = summariseLatencies(result.batch.latencies, result.batch.wallMs);
      process.stdout.write(`  ${throughput.toFixed(1)} groups/s; ${problems(result).length === 0 ? 'every check passed' : problems(result).join('; ')}\n`);
    }
    printReport(options, results);
    return results.some((r) => problems(r).length > 0) ? 1 : 0;
  });
}

main();
