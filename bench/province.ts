import { performance } from 'node:perf_hooks';
import { actsAudit, endedStatuses, query } from '../chaos/audit';
import { benchOptions } from './harness';
import { sampleIntakes } from './group-batch';
import { formatTable, percentile } from './report';

/**
 * `npm run bench:province`: the figures of README's "Deploying for a province", against a deployment
 * that is already running as that section sets it up (the processes started by hand, production mode).
 * It starts nothing itself. Files N birth groups through the API instances in turn; once half of them
 * are accepted it SIGKILLs one worker and one API (the pids given), sends the rest — and M more — to the
 * API left, then waits until every group has ended and checks the database and the agencies' registers:
 * nothing lost, no act done twice (one personal ID number per child). Exits 1 if a check fails.
 *
 * Settings (environment):
 *   PROVINCE_API_URLS         the APIs' citizen-facing addresses, comma-separated (the first is the one killed)
 *   PROVINCE_TOKEN            a clerk's bearer token of commune 79/26743 (`npm run -s token -- --role CLERK …`)
 *   DATABASE_URL              the deployment's database (read only: statuses and acts)
 *   AGENCY_BASE_URL           the agency simulator, whose registers count the acts issued
 *   PROVINCE_KILL_API_PID     the first API's process id; PROVINCE_KILL_WORKER_PID a worker's
 * Options (flag or environment): --groups / BENCH_GROUPS (100), --after / BENCH_AFTER (20, filed after
 * the kill), --concurrency / BENCH_CONCURRENCY (8 intakes in flight), --timeout / BENCH_TIMEOUT_SECONDS (600).
 */

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required (see the comment at the top of bench/province.ts)`);
  return value;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const option = benchOptions(['groups', 'after', 'concurrency', 'timeout']);
  const groups = option.integer('groups', 'BENCH_GROUPS', 100, 2);
  const after = option.integer('after', 'BENCH_AFTER', 20, 0);
  const concurrency = option.integer('concurrency', 'BENCH_CONCURRENCY', 8, 1);
  const timeoutMs = option.integer('timeout', 'BENCH_TIMEOUT_SECONDS', 600, 10) * 1000;
  const apiUrls = required('PROVINCE_API_URLS').split(',').map((u) => u.trim().replace(/\/$/, ''));
  if (apiUrls.length < 2) throw new Error('PROVINCE_API_URLS: at least two APIs');
  const token = required('PROVINCE_TOKEN');
  const databaseUrl = required('DATABASE_URL');
  const simulatorUrl = required('AGENCY_BASE_URL').replace(/\/$/, '');
  const apiPid = Number(required('PROVINCE_KILL_API_PID'));
  const workerPid = Number(required('PROVINCE_KILL_WORKER_PID'));

  const alive = apiUrls.map(() => true);
  const perApi = apiUrls.map(() => 0);
  const latencies: number[] = [];
  const failures: string[] = [];
  const accepted: string[] = [];
  let retriedAfterKill = 0;
  let killedAt: number | undefined;

  /** One intake: the API in turn (a dead one skipped, as a load balancer would), retried on the other if the connection fails. */
  const file = async (index: number): Promise<void> => {
    const intake = sampleIntakes.BIRTH();
    const body = JSON.stringify(intake);
    const started = performance.now();
    for (let attempt = 0; attempt < apiUrls.length + 1; attempt++) {
      let api = (index + attempt) % apiUrls.length;
      if (!alive[api]) api = alive.findIndex((a) => a);
      try {
        const response = await fetch(`${apiUrls[api]}/v1/dossiers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        const answer = (await response.json()) as { workflowId?: string; detail?: string };
        if (response.status !== 201 && response.status !== 200) throw Object.assign(new Error(`intake answered ${response.status} ${answer.detail ?? ''}`), { final: true });
        latencies.push(performance.now() - started);
        perApi[api]! += 1;
        accepted.push(intake.dossierNumber);
        return;
      } catch (error) {
        if ((error as { final?: boolean }).final) {
          failures.push((error as Error).message);
          return;
        }
        // The connection failed (the API was just killed): the same intake, idempotent on its number, to the other.
        retriedAfterKill += 1;
      }
    }
    failures.push(`${intake.dossierNumber}: no API accepted it`);
  };

  const run = async (from: number, to: number, onAccepted?: () => void): Promise<void> => {
    let next = from;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < to) {
          const index = next++;
          await file(index);
          onAccepted?.();
        }
      }),
    );
  };

  const kill = (): void => {
    if (killedAt !== undefined) return;
    killedAt = performance.now();
    process.kill(workerPid, 'SIGKILL');
    process.kill(apiPid, 'SIGKILL');
    alive[0] = false;
    process.stdout.write(`SIGKILL: worker ${workerPid} and API ${apiPid} (${apiUrls[0]}) after ${accepted.length} intakes\n`);
  };

  const start = performance.now();
  await run(0, groups, () => {
    if (accepted.length >= Math.floor(groups / 2)) kill();
  });
  await run(groups, groups + after);
  const filedMs = performance.now() - start;

  const total = groups + after;
  let ended = 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await query<{ n: number }>(databaseUrl, 'SELECT count(*)::int AS n FROM dossier WHERE dossier_number = ANY($1) AND status = ANY($2)', [accepted, endedStatuses]);
    ended = rows[0]?.n ?? 0;
    if (ended === accepted.length || Date.now() > deadline) break;
    await sleep(500);
  }
  const completeMs = performance.now() - start;

  const statuses = await query<{ status: string; n: number }>(databaseUrl, 'SELECT status, count(*)::int AS n FROM dossier WHERE dossier_number = ANY($1) GROUP BY status ORDER BY status', [accepted]);
  // One personal ID number per child: none recorded twice on a dossier, none shared by two dossiers.
  const [ids] = await query<{ steps: number; numbers: number; dossiers: number }>(
    databaseUrl,
    `SELECT count(*)::int AS steps, count(DISTINCT s.result ->> 'personalIdNumber')::int AS numbers, count(DISTINCT s.dossier_id)::int AS dossiers
       FROM dossier_step s JOIN dossier d ON d.id = s.dossier_id
      WHERE d.dossier_number = ANY($1) AND s.step = 'PERSONAL_ID' AND s.status = 'COMPLETED'`,
    [accepted],
  );
  const { duplicateActs } = await actsAudit({ simulatorUrl, databaseUrl });
  const { issued } = (await (await fetch(`${simulatorUrl}/_control/agencies`)).json()) as { issued: Record<string, number> };

  const sorted = [...latencies].sort((a, b) => a - b);
  const ms = (v: number) => v.toFixed(0);
  const lines = formatTable(
    ['', 'value'],
    [
      ['groups filed (before + after the kill)', `${groups} + ${after}`],
      ['intakes accepted', `${accepted.length} (${perApi.map((n, i) => `API ${i + 1}: ${n}`).join(', ')})`],
      ['intakes retried on the other API after the kill', String(retriedAfterKill)],
      ['intakes failed', String(failures.length)],
      ['intake latency p50 / p95 / max, ms', `${ms(percentile(sorted, 50))} / ${ms(percentile(sorted, 95))} / ${ms(sorted[sorted.length - 1] ?? Number.NaN)}`],
      ['all intakes answered after, s', (filedMs / 1000).toFixed(1)],
      ['every group ended after, s', (completeMs / 1000).toFixed(1)],
      ['groups ended', `${ended} of ${accepted.length}`],
      ['statuses', statuses.map((s) => `${s.status} ${s.n}`).join(', ')],
      ['personal ID numbers: steps / distinct / dossiers', `${ids?.steps} / ${ids?.numbers} / ${ids?.dossiers}`],
      ['issued by the agencies (births, IDs, residences, cards)', `${issued.births}, ${issued.personalIds}, ${issued.residences}, ${issued.cards}`],
      ['acts done twice (registers against dossiers)', String(duplicateActs)],
    ],
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  if (failures.length > 0) process.stdout.write(`first failure: ${failures[0]}\n`);

  const problems = [
    failures.length > 0 && `${failures.length} intakes failed`,
    ended !== total && `${ended} of ${total} groups ended`,
    duplicateActs > 0 && `${duplicateActs} acts done twice`,
    ids && (ids.steps !== ids.numbers || ids.steps !== ids.dossiers) && 'a personal ID number recorded twice',
  ].filter(Boolean);
  if (problems.length > 0) {
    process.stdout.write(`FAILED: ${problems.join('; ')}\n`);
    process.exitCode = 1;
  }
}

void main().catch((error: unknown) => {
  console.error(`bench:province: ${(error as Error).message}`);
  process.exit(1);
});
