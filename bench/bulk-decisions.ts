import { performance } from 'node:perf_hooks';
import { buildApi } from '../api/app';
import { createWorkingCalendar } from '../domain/working-days';
import { createLogger } from '../runtime/logger';
import { applyMigrations } from '../runtime/migrations';
import { startScratchServers } from '../runtime/scratch-servers';
import { birthIntake } from '../tests/support/fixtures';
import { eventually, postJson, setAgencyFaults, startStack } from '../tests/support/stack';

/**
 * A supervisor's bulk retry after an outage (`npm run bench:bulk`): BENCH_INCIDENTS (default 1,000)
 * open incidents, raised by a real population-database outage, retried by one
 * `POST /v1/supervision/incidents/decisions`; the baseline, in the same run, is the same endpoint
 * deciding one incident at a time (BULK_DECISION_CONCURRENCY=1) on BENCH_BASELINE (default 100) others.
 */
const incidents = Number(process.env.BENCH_INCIDENTS ?? 1000);
const baselineCount = Number(process.env.BENCH_BASELINE ?? 100);

async function main(): Promise<void> {
  const servers = await startScratchServers({ database: 'lien_thong_bench_bulk' });
  Object.assign(process.env, { DATABASE_URL: servers.databaseUrl, TEMPORAL_ADDRESS: servers.temporalAddress, LIEN_THONG_DEV_MODE: 'true' });
  await applyMigrations(servers.databaseUrl);
  // One attempt: the outage turns each step into an incident at once.
  const stack = await startStack({ STEP_MAX_ATTEMPTS: '1', LOG_LEVEL: 'silent' });
  const sequential = await buildApi({
    db: stack.db,
    temporal: stack.temporal,
    logger: createLogger({ level: 'silent' }),
    calendar: createWorkingCalendar(),
    config: { ...stack.config, BULK_DECISION_CONCURRENCY: 1 },
  });
  const sequentialUrl = await sequential.listen({ host: '127.0.0.1', port: 0 });
  try {
    const total = incidents + baselineCount;
    const started = performance.now();
    await setAgencyFaults(stack.simulatorUrl, 'population', { outage: true });
    for (let i = 0; i < total; i += 32) {
      const batch = Array.from({ length: Math.min(32, total - i) }, () =>
        birthIntake({ procedures: { permanentResidence: false, healthInsurance: false }, residence: undefined, healthInsurance: undefined }),
      );
      await Promise.all(batch.map(async (intake) => {
        const { status } = await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
        if (status !== 201) throw new Error(`intake answered ${status}`);
      }));
    }
    await eventually(async () => ((await stack.db.incident.count({ where: { status: 'OPEN' } })) >= total ? true : undefined), 600_000);
    await setAgencyFaults(stack.simulatorUrl, 'population', { outage: false });
    process.stdout.write(`bench: ${total} open incidents after a population-database outage, in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

    const open = await stack.db.incident.findMany({ where: { status: 'OPEN' }, select: { id: true }, orderBy: { openedAt: 'asc' } });
    const decide = async (url: string, ids: string[]) => {
      const at = performance.now();
      const { status, body } = await postJson(`${url}/v1/supervision/incidents/decisions`, { filter: {}, incidentIds: ids, decision: 'RETRY', reason: 'hệ thống dân cư hoạt động lại', limit: 1000 }, stack.tokens.nationalSupervisor);
      if (status !== 200) throw new Error(`bulk decision answered ${status}`);
      return { seconds: (performance.now() - at) / 1000, accepted: body.accepted as number, rejected: (body.rejected as unknown[]).length };
    };
    const baseline = await decide(sequentialUrl, open.slice(0, baselineCount).map((i) => i.id));
    const bulk = await decide(stack.apiUrl, open.slice(baselineCount, total).map((i) => i.id));
    const perSecond = (r: { seconds: number; accepted: number }) => r.accepted / r.seconds;
    process.stdout.write(
      [
        '',
        `                      incidents   accepted   rejected   answer s   incidents/s`,
        `bulk (${stack.config.BULK_DECISION_CONCURRENCY} at a time)   ${String(incidents).padStart(9)} ${String(bulk.accepted).padStart(10)} ${String(bulk.rejected).padStart(10)} ${bulk.seconds.toFixed(2).padStart(10)} ${perSecond(bulk).toFixed(0).padStart(13)}`,
        `baseline (one at a time) ${String(baselineCount).padStart(5)} ${String(baseline.accepted).padStart(10)} ${String(baseline.rejected).padStart(10)} ${baseline.seconds.toFixed(2).padStart(10)} ${perSecond(baseline).toFixed(0).padStart(13)}`,
        `bulk / baseline: incidents per second ×${(perSecond(bulk) / perSecond(baseline)).toFixed(1)}; ${incidents} answered in ${bulk.seconds.toFixed(2)} s (target < 5 s)`,
        '',
      ].join('\n'),
    );
  } finally {
    await sequential.close();
    await stack.stop();
    await servers.stop();
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
