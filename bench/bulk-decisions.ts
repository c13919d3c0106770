import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { startChaosStack } from '../chaos/stack';
import { forEachBounded } from '../runtime/bounded';
import { birthIntake } from '../tests/support/fixtures';
import { eventually, postJson, setAgencyFaults } from '../tests/support/stack';

/**
 * A supervisor's bulk retry after an outage (`npm run bench:bulk`): BENCH_INCIDENTS (default 1,000)
 * open incidents, raised by a real population-database outage, retried by one
 * `POST /v1/supervision/incidents/decisions`. The baseline, in the same run, is BENCH_BASELINE (default
 * 100) other incidents decided one by one through the single-incident route, as a supervisor would
 * without the bulk action: a Temporal update each, answered once the workflow took it. The bulk answer
 * comes once the decisions are recorded; the bench then times the relay's delivery and the groups'
 * completion, and checks each signal delivered once. API, worker,
 * simulator, PostgreSQL and Temporal are separate processes, as deployed: the API's answer does not
 * share an event loop with the worker running the retried steps.
 */
const incidents = Number(process.env.BENCH_INCIDENTS ?? 1000);
const baselineCount = Number(process.env.BENCH_BASELINE ?? 100);

async function main(): Promise<void> {
  // One attempt: the outage turns each step into an incident at once.
  const stack = await startChaosStack({ STEP_MAX_ATTEMPTS: '1', LOG_LEVEL: 'silent' }, { temporalInMemory: true });
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const total = incidents + baselineCount;
    const started = performance.now();
    await setAgencyFaults(stack.simulatorUrl, 'population', { outage: true });
    const intakes = Array.from({ length: total }, () =>
      birthIntake({ procedures: { permanentResidence: false, healthInsurance: false }, residence: undefined, healthInsurance: undefined }),
    );
    await forEachBounded(intakes, 32, async (intake) => {
      const { status } = await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
      if (status !== 201) throw new Error(`intake answered ${status}`);
    });
    const openIncidents = async () =>
      (await db.query<{ id: string; dossier_number: string; step: string }>(
        `SELECT i.id, d.dossier_number, i.step FROM incident i JOIN dossier d ON d.id = i.dossier_id WHERE i.status = 'OPEN' ORDER BY i.opened_at`,
      )).rows;
    const open = await eventually(async () => {
      const rows = await openIncidents();
      return rows.length >= total ? rows : undefined;
    }, 600_000);
    await setAgencyFaults(stack.simulatorUrl, 'population', { outage: false });
    process.stdout.write(`bench: ${total} open incidents after a population-database outage, in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

    const reason = 'hệ thống dân cư hoạt động lại';
    const timed = async (run: () => Promise<{ accepted: number; rejected: number }>) => {
      const at = performance.now();
      return { ...(await run()), seconds: (performance.now() - at) / 1000 };
    };
    const baseline = await timed(async () => {
      let accepted = 0;
      for (const incident of open.slice(0, baselineCount)) {
        const url = `${stack.apiUrl}/v1/dossiers/${incident.dossier_number}/incidents/${incident.step}/decision`;
        if ((await postJson(url, { decision: 'RETRY', reason, incidentId: incident.id }, stack.tokens.nationalSupervisor)).status === 202) accepted += 1;
      }
      return { accepted, rejected: baselineCount - accepted };
    });
    const bulk = await timed(async () => {
      const body = { filter: {}, incidentIds: open.slice(baselineCount, total).map((i) => i.id), decision: 'RETRY', reason, limit: 1000 };
      const answer = await postJson(`${stack.apiUrl}/v1/supervision/incidents/decisions`, body, stack.tokens.nationalSupervisor);
      if (answer.status !== 200) throw new Error(`bulk decision answered ${answer.status}`);
      return { accepted: answer.body.accepted as number, rejected: incidents - (answer.body.accepted as number) };
    });
    // Answered is not done: every signal must reach its workflow once, every retried group complete,
    // each incident decided once.
    const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]!.n);
    const relayed = await timed(async () => {
      await eventually(async () => ((await count(`SELECT count(*) AS n FROM workflow_signal_outbox WHERE delivered_at IS NULL`)) === 0 ? true : undefined), 600_000);
      return { accepted: await count(`SELECT count(*) AS n FROM workflow_signal_outbox WHERE outcome = 'DELIVERED'`), rejected: 0 };
    });
    const settled = await timed(async () => {
      await eventually(async () => ((await openIncidents()).length === 0 ? true : undefined), 600_000);
      return { accepted: await count(`SELECT count(*) AS n FROM audit_entry WHERE action = 'incident.retry'`), rejected: 0 };
    });
    const perSecond = (r: { seconds: number; accepted: number }) => r.accepted / r.seconds;
    const row = (label: string, n: number, r: { accepted: number; rejected: number; seconds: number }) =>
      `${label.padEnd(40)} ${String(n).padStart(9)} ${String(r.accepted).padStart(9)} ${String(r.rejected).padStart(9)} ${r.seconds.toFixed(2).padStart(9)} ${perSecond(r).toFixed(0).padStart(12)}`;
    process.stdout.write(
      [
        '',
        `${''.padEnd(40)} incidents  accepted  rejected  answer s  incidents/s`,
        row('bulk: one request (recorded, relayed)', incidents, bulk),
        row('baseline: one by one (an update each)', baselineCount, baseline),
        `bulk / baseline: incidents per second ×${(perSecond(bulk) / perSecond(baseline)).toFixed(1)}; ${incidents} answered in ${bulk.seconds.toFixed(2)} s (target < 5 s)`,
        `then every signal delivered ${relayed.seconds.toFixed(1)} s after the answer (${relayed.accepted} delivered), every incident closed ${settled.seconds.toFixed(1)} s after that; audit entries 'incident.retry': ${settled.accepted} for ${total} decisions`,
        '',
      ].join('\n'),
    );
    if (bulk.rejected > 0 || relayed.accepted !== incidents || settled.accepted !== total) process.exitCode = 1;
  } finally {
    await db.end();
    await stack.stop();
  }
}

void main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
