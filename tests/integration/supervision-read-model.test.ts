import { randomUUID } from 'node:crypto';
import { Client as Pg } from 'pg';
import { openStepStatuses, runningDossierStatuses } from '../../domain/statuses';
import { sqlLiterals } from '../../runtime/database';
import { birthIntake } from '../support/fixtures';
import { eventually, getJson, postJson, setAgencyFaults, startStack, type Stack } from '../support/stack';

/**
 * The columns the supervisors' views count (`late_at`, `open_incident_count`, `waiting_for_citizen`,
 * `open_steps`) are kept by triggers in the writers' own transactions. They must equal what the steps
 * and incidents say at every commit, including when two transactions write two steps of one dossier at
 * once (parallel branches), and the dashboard must count what the tables hold.
 */
const steps = [
  ['BIRTH_REGISTRATION', 'CIVIL_STATUS'],
  ['PERSONAL_ID', 'POPULATION_DATABASE'],
  ['PERMANENT_RESIDENCE', 'COMMUNE_POLICE'],
  ['CHILD_HEALTH_INSURANCE', 'SOCIAL_SECURITY'],
] as const;
const stepStatuses = ['PENDING', 'RUNNING', 'WAITING_FOR_SUPPLEMENT', 'INCIDENT', 'COMPLETED'] as const;
const open = sqlLiterals(openStepStatuses).sql;
const running = sqlLiterals(runningDossierStatuses).sql;

/** Dossiers whose kept columns differ from a computation straight from their steps and incidents. */
const drifted = `
  WITH truth AS (
    SELECT d.id,
           CASE WHEN d.status IN (${running}) THEN least(d.due_at,
             (SELECT min(s.due_at) FROM dossier_step s WHERE s.dossier_id = d.id AND s.status IN (${open}))) END AS late_at,
           (SELECT count(*) FROM incident i WHERE i.dossier_id = d.id AND i.status = 'OPEN')::int AS open_incident_count,
           EXISTS (SELECT 1 FROM dossier_step s WHERE s.dossier_id = d.id AND s.status = 'WAITING_FOR_SUPPLEMENT') AS waiting_for_citizen,
           coalesce((SELECT array_agg(s.agency || ':' || s.step || ':' || s.status ORDER BY s.step) FROM dossier_step s
                     WHERE s.dossier_id = d.id AND s.status IN (${open})), '{}') AS open_steps
    FROM dossier d WHERE d.id = ANY($1::uuid[]) OR $1 IS NULL)
  SELECT d.dossier_number FROM dossier d JOIN truth t ON t.id = d.id
  WHERE (d.late_at, d.open_incident_count, d.waiting_for_citizen, d.open_steps)
        IS DISTINCT FROM (t.late_at, t.open_incident_count, t.waiting_for_citizen, t.open_steps)`;

describe('the supervision columns kept by the database', () => {
  let stack: Stack;
  let pg: Pg;
  beforeAll(async () => {
    stack = await startStack({ STEP_MAX_ATTEMPTS: '1' });
    pg = new Pg({ connectionString: process.env.DATABASE_URL });
    await pg.connect();
  });
  const seeded: string[] = [];
  afterAll(async () => {
    // Seeded dossiers have no workflow: they must not reach another suite's bulk decisions.
    await pg?.query(`DELETE FROM dossier WHERE id = ANY($1::uuid[])`, [seeded]);
    await pg?.end();
    await stack?.stop();
  });

  async function seedDossier(): Promise<{ id: string; stepIds: string[] }> {
    const intake = birthIntake();
    const id = randomUUID();
    const stepIds = steps.map(() => randomUUID());
    seeded.push(id);
    await stack.db.dossier.create({
      data: {
        id,
        dossierNumber: intake.dossierNumber,
        procedureGroup: 'BIRTH',
        workflowId: `read-model-${id}`,
        dueAt: new Date(Date.now() + 5 * 86_400_000),
        provinceCode: '79',
        communeCode: '26743',
        intake: intake as object,
        intakeDigest: 'read-model',
        selectedSteps: steps.map(([step]) => step),
        definitionVersion: 1,
        receivedAt: new Date(),
        status: 'IN_PROGRESS',
        steps: { create: steps.map(([step, agency], i) => ({ id: stepIds[i]!, step, agency })) },
      },
    });
    return { id, stepIds };
  }

  it('two transactions writing two steps of one dossier at once: the second to commit sees the first', async () => {
    const { id, stepIds } = await seedDossier();
    const connected = async (): Promise<Pg> => {
      const client = new Pg({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      return client;
    };
    const [first, second, third] = await Promise.all([connected(), connected(), connected()]);
    const backendOf = async (client: Pg): Promise<number> => (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    try {
      const soon = new Date(Date.now() + 3600_000);
      // The first writes its step and holds its transaction open while the second writes another step
      // and the third opens an incident.
      await first.query('BEGIN');
      await first.query(`UPDATE dossier_step SET status = 'RUNNING', due_at = $2 WHERE id = $1`, [stepIds[2], soon]);
      const firstPid = await backendOf(first);
      const waiting = await Promise.all([second, third].map(backendOf));
      await second.query('BEGIN');
      const secondWrite = second.query(`UPDATE dossier_step SET status = 'WAITING_FOR_SUPPLEMENT' WHERE id = $1`, [stepIds[3]]);
      const incident = third.query(`INSERT INTO incident (id, dossier_id, step, agency, kind, last_error) VALUES ($1, $2, 'PERMANENT_RESIDENCE', 'COMMUNE_POLICE', 'STEP', 'HTTP 503')`, [randomUUID(), id]);
      // The race under test: the first commits only once the server shows both waiting for its lock on
      // the dossier (after a fixed pause, they might not have reached it yet, and nothing would race).
      await eventually(async () => {
        const { rows } = await pg.query(`SELECT count(*)::int AS blocked FROM unnest($1::int[]) AS w(pid) WHERE $2::int = ANY(pg_blocking_pids(w.pid))`, [waiting, firstPid]);
        return rows[0].blocked === waiting.length ? true : undefined;
      }, 10_000);
      await first.query('COMMIT');
      await secondWrite;
      await second.query('COMMIT');
      await incident;
      const { rows } = await pg.query(`SELECT late_at, open_incident_count, waiting_for_citizen, open_steps FROM dossier WHERE id = $1`, [id]);
      expect(rows[0]).toEqual({
        late_at: soon,
        open_incident_count: 1,
        waiting_for_citizen: true,
        open_steps: ['SOCIAL_SECURITY:CHILD_HEALTH_INSURANCE:WAITING_FOR_SUPPLEMENT', 'COMMUNE_POLICE:PERMANENT_RESIDENCE:RUNNING'],
      });
    } finally {
      await Promise.all([first.end(), second.end(), third.end()]);
    }
  });

  it('stays exact under concurrent writers of steps, incidents and the dossier itself', async () => {
    const dossiers = await Promise.all([1, 2, 3].map(() => seedDossier()));
    const writers = await Promise.all(Array.from({ length: 6 }, async () => {
      const client = new Pg({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      return client;
    }));
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    try {
      await Promise.all(writers.map(async (client) => {
        for (let i = 0; i < 40; i += 1) {
          const { id, stepIds } = dossiers[random(dossiers.length)]!;
          const stepId = stepIds[random(stepIds.length)]!;
          await client.query('BEGIN');
          // Steps and incidents first, then the dossier, as every writer of a dossier does (the lock order).
          switch (random(4)) {
            case 0:
            case 1:
              await client.query(`UPDATE dossier_step SET status = $2::"StepStatus", due_at = now() + $3 * interval '1 hour' WHERE id = $1`, [stepId, stepStatuses[random(stepStatuses.length)], random(48) - 24]);
              break;
            case 2:
              await client.query(`INSERT INTO incident (id, dossier_id, step, agency, kind, last_error) VALUES ($1, $2, 'PERSONAL_ID', 'POPULATION_DATABASE', 'STEP', 'x')`, [randomUUID(), id]);
              break;
            default:
              await client.query(`UPDATE incident SET status = 'RESOLVED' WHERE id = (SELECT id FROM incident WHERE dossier_id = $1 AND status = 'OPEN' LIMIT 1)`, [id]);
          }
          if (random(3) === 0) await client.query(`UPDATE dossier SET due_at = now() + $2 * interval '1 hour' WHERE id = $1`, [id, random(48) - 24]);
          await client.query('COMMIT');
        }
      }));
      expect((await pg.query(drifted, [dossiers.map((d) => d.id)])).rows).toEqual([]);
      // A dossier that ends is no longer late, whatever its steps say.
      await pg.query(`UPDATE dossier SET status = 'COMPLETED' WHERE id = $1`, [dossiers[0]!.id]);
      expect((await pg.query(`SELECT late_at FROM dossier WHERE id = $1`, [dossiers[0]!.id])).rows[0].late_at).toBeNull();
    } finally {
      await Promise.all(writers.map((c) => c.end()));
    }
  });

  it('the real groups leave no drift, and the dashboard counts what the tables hold', async () => {
    // An outage makes incidents; a supplement makes a dossier wait for the citizen; others complete.
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: true });
    const intakes = [1, 2, 3, 4].map(() => birthIntake());
    for (const intake of intakes) expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    const numbers = intakes.map((i) => i.dossierNumber);
    await eventually(async () => ((await stack.db.incident.count({ where: { status: 'OPEN', dossier: { dossierNumber: { in: numbers } } } })) === 4 ? true : undefined), 60_000);
    expect((await pg.query(drifted, [null])).rows).toEqual([]);

    const { body: summary } = await getJson(`${stack.apiUrl}/v1/supervision/summary`, stack.tokens.nationalSupervisor);
    const truth = await pg.query(`
      SELECT count(*)::int AS open,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM incident i WHERE i.dossier_id = d.id AND i.status = 'OPEN'))::int AS with_incident,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM dossier_step s WHERE s.dossier_id = d.id AND s.status = 'WAITING_FOR_SUPPLEMENT'))::int AS waiting,
             count(*) FILTER (WHERE d.due_at < now() OR EXISTS (SELECT 1 FROM dossier_step s WHERE s.dossier_id = d.id
               AND s.status IN (${open}) AND s.due_at < now()))::int AS overdue
      FROM dossier d WHERE d.status IN (${running})`);
    expect(summary).toMatchObject({ open: truth.rows[0].open, withIncident: truth.rows[0].with_incident, waitingForCitizen: truth.rows[0].waiting, overdue: truth.rows[0].overdue });
    const stepCounts = await pg.query(`
      SELECT s.agency, s.step, s.status::text, count(*)::int AS count FROM dossier_step s JOIN dossier d ON d.id = s.dossier_id
      WHERE s.status IN (${open}) AND d.status IN (${running}) GROUP BY 1, 2, 3`);
    const byKey = (rows: { agency: string; step: string; status: string; count: number }[]) => new Map(rows.map((r) => [`${r.agency}:${r.step}:${r.status}`, r.count]));
    expect(byKey(summary.byAgencyAndStep)).toEqual(byKey(stepCounts.rows));

    // After the bulk retry every group ends, and nothing they wrote on the way left the columns behind.
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: false });
    const bulk = await postJson(`${stack.apiUrl}/v1/supervision/incidents/decisions`, { filter: { agency: 'COMMUNE_POLICE' }, decision: 'RETRY', reason: 'police back online' }, stack.tokens.nationalSupervisor);
    expect(bulk.status).toBe(200);
    for (const number of numbers) expect((await stack.untilEnded(number)).status).toBe('COMPLETED');
    expect((await pg.query(drifted, [null])).rows).toEqual([]);
    const ended = await pg.query(`SELECT late_at, open_incident_count, open_steps FROM dossier WHERE dossier_number = ANY($1)`, [numbers]);
    expect(ended.rows.every((r) => r.late_at === null && r.open_incident_count === 0 && r.open_steps.length === 0)).toBe(true);
  }, 120_000);
});
