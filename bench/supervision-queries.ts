import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { listDossiers } from '../api/dossier-list';
import { listStuckDossiers, type Filter } from '../api/stuck-dossiers';
import { supervisionSummary } from '../api/supervision-summary';
import type { Principal } from '../domain/principal';
import { createDatabase } from '../runtime/database';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { freePort } from '../runtime/free-port';
import { applyMigrations } from '../runtime/migrations';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Supervisor queries on a million dossiers (`npm run bench:supervision`). Seeds a throwaway PostgreSQL
 * with BENCH_DOSSIERS dossiers (default 1,000,000: 90% ended, 10% open, four steps each, an open
 * incident on 1% of the open ones), then times the supervisor's list-and-count queries as the API runs
 * them, against a baseline measured in the same run: fetching one dossier by its number.
 */
const dossiers = Number(process.env.BENCH_DOSSIERS ?? 1_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 15);

const provinceSupervisor: Principal = { role: 'SUPERVISOR', subject: 'bench', agency: null, jurisdiction: { scope: 'PROVINCE', provinceCode: '79' } };
const nationalSupervisor: Principal = { ...provinceSupervisor, jurisdiction: { scope: 'NATIONAL' } };
const clerk: Principal = { role: 'CLERK', subject: 'bench-clerk', agency: 'CIVIL_STATUS', jurisdiction: { scope: 'COMMUNE', provinceCode: '79', communeCode: '00270' } };

// Seeded with the triggers off (one per step row would make it slow), then the supervision columns
// computed once for the running dossiers by the same trigger, as the migration does for existing rows.
const seed = `
SET session_replication_role = replica;
WITH provinces AS (SELECT ARRAY['01','04','08','11','12','14','15','19','20','22','24','25','31','33','37','38','40','42','44','46','48','51','52','56','66','68','75','79','80','82','86','91','92','96'] AS codes)
INSERT INTO dossier (id, dossier_number, procedure_group, status, workflow_id, province_code, commune_code, intake, intake_digest,
                     selected_steps, definition_version, received_at, due_at, completed_at, updated_at)
SELECT md5('d' || i)::uuid, 'B-' || i, 'BIRTH', CASE WHEN i % 10 = 0 THEN 'IN_PROGRESS' ELSE 'COMPLETED' END::"DossierStatus",
       'dossier-B-' || i, codes[1 + (i / 10) % 34], lpad((i % 3000)::text, 5, '0'), '{}', md5(i::text),
       ARRAY['BIRTH_REGISTRATION','PERSONAL_ID','PERMANENT_RESIDENCE','CHILD_HEALTH_INSURANCE'], 1,
       now() - (i % 60) * interval '1 day', now() - (i % 60) * interval '1 day' + interval '4 days',
       CASE WHEN i % 10 = 0 THEN NULL ELSE least(now(), now() - (i % 60) * interval '1 day' + (i % 5) * interval '1 day') END, now()
FROM generate_series(1, $1::int) AS i, provinces;
INSERT INTO dossier_step (id, dossier_id, step, agency, status, mode, updated_at, due_at)
SELECT md5('s' || i || s.step)::uuid, md5('d' || i)::uuid, s.step, s.agency,
       CASE WHEN i % 10 <> 0 THEN 'COMPLETED' WHEN s.step = 'PERMANENT_RESIDENCE' THEN (CASE WHEN i % 990 = 0 THEN 'INCIDENT' ELSE 'RUNNING' END) WHEN s.step = 'CHILD_HEALTH_INSURANCE' THEN 'WAITING_FOR_SUPPLEMENT' ELSE 'COMPLETED' END::"StepStatus",
       'AUTOMATED', now(),
       CASE WHEN i % 10 = 0 AND s.step IN ('PERMANENT_RESIDENCE', 'CHILD_HEALTH_INSURANCE') THEN now() - (i % 60) * interval '1 day' + interval '2 days' END
FROM generate_series(1, $1::int) AS i,
     (VALUES ('BIRTH_REGISTRATION','CIVIL_STATUS'), ('PERSONAL_ID','POPULATION_DATABASE'), ('PERMANENT_RESIDENCE','COMMUNE_POLICE'), ('CHILD_HEALTH_INSURANCE','SOCIAL_SECURITY')) AS s(step, agency);
INSERT INTO incident (id, dossier_id, step, agency, kind, status, last_error)
SELECT md5('i' || i)::uuid, md5('d' || i)::uuid, 'PERMANENT_RESIDENCE', 'COMMUNE_POLICE', 'STEP', 'OPEN', 'HTTP 503'
FROM generate_series(990, $1::int, 990) AS i;
SET session_replication_role = origin;
UPDATE dossier SET due_at = due_at WHERE status IN ('RECEIVED', 'IN_PROGRESS');
VACUUM ANALYZE;`;

async function time(run: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await run(); // warm the plan and the cache
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95) };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lien-thong-bench-sv-'));
  const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'bench' });
  const db = createDatabase(pg.url, 4);
  try {
    await applyMigrations(pg.url);
    const client = new Client({ connectionString: pg.url });
    client.on('error', () => undefined); // the server stopping at the end closes it
    await client.connect();
    const seeding = performance.now();
    // Each statement on its own: the seed text holds several.
    for (const statement of seed.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)) {
      await client.query(statement, statement.includes('$1') ? [dossiers] : []).catch((error: Error) => {
        throw new Error(`seeding failed: ${error.message}\n${statement.slice(0, 200)}`);
      });
    }
    await client.end();
    process.stdout.write(`seeded ${dossiers} dossiers, ${dossiers * 4} steps, ${Math.floor(dossiers / 990)} open incidents in ${((performance.now() - seeding) / 1000).toFixed(1)} s\n\n`);

    const baseline = await time(() => db.dossier.findUnique({ where: { dossierNumber: `B-${Math.floor(dossiers / 2)}` } }));
    // Every filter, for a province and for the whole country.
    const filters: [string, Filter][] = [
      ['every stuck dossier', {}],
      ['police incidents', { agency: 'COMMUNE_POLICE', incident: true }],
      ['overdue', { overdue: true }],
      ['not overdue', { overdue: false }],
      ['waiting for citizen', { waitingForCitizen: true }],
      ['overdue, older than 30 days', { overdue: true, olderThanDays: 30 }],
      ['birth group, residence step', { group: 'BIRTH', step: 'PERMANENT_RESIDENCE' }],
      ['one commune', { communeCode: '00270' }],
    ];
    const cases: [string, Principal, Filter][] = [
      ...filters.map(([name, filter]): [string, Principal, Filter] => [`province 79: ${name}`, provinceSupervisor, filter]),
      ...filters.map(([name, filter]): [string, Principal, Filter] => [`national: ${name}`, nationalSupervisor, filter]),
    ];
    const rows = [['query (page of 50 + total + counts per agency/step)', 'total', 'p50 ms', 'p95 ms', '× baseline']];
    rows.push(['baseline: one dossier by number', '1', baseline.p50.toFixed(1), baseline.p95.toFixed(1), '1']);
    for (const [name, principal, filter] of cases) {
      let total = 0;
      const t = await time(async () => {
        total = (await listStuckDossiers(db, principal, filter, 1, 50)).total;
      });
      rows.push([name, String(total), t.p50.toFixed(1), t.p95.toFixed(1), (t.p50 / baseline.p50).toFixed(0)]);
    }
    // The console's dashboard and the desk's list, over the same million.
    const views: [string, () => Promise<number>][] = [
      ['dashboard summary: province 79', async () => (await supervisionSummary(db, provinceSupervisor.jurisdiction)).open],
      ['dashboard summary: national', async () => (await supervisionSummary(db, nationalSupervisor.jurisdiction)).open],
      ['desk list: one commune, active first', async () => (await listDossiers(db, clerk, { page: 1, pageSize: 20 })).total],
    ];
    for (const [name, run] of views) {
      let total = 0;
      const t = await time(async () => {
        total = await run();
      });
      rows.push([name, String(total), t.p50.toFixed(1), t.p95.toFixed(1), (t.p50 / baseline.p50).toFixed(0)]);
    }
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const row of rows) process.stdout.write(`${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ')}\n`);
  } finally {
    await db.$disconnect();
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
