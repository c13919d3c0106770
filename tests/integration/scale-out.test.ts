import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Client as Pg } from 'pg';
import { startChaosStack, type ChaosStack } from '../../chaos/stack';
import { birthIntake } from '../support/fixtures';
import { endedStatuses, eventually, getJson, postJson } from '../support/stack';

/**
 * Scale-out on one machine: two worker processes and two API processes on the same task queue,
 * database and Temporal server, as a deployment with replicas runs them. Every group completes, each
 * act is done once, a dossier filed at both APIs at once is one dossier, and the shared schedule
 * exists once.
 */
describe('two workers and two API processes side by side', () => {
  let stack: ChaosStack;
  let connection: Connection;
  beforeAll(async () => {
    stack = await startChaosStack({}, { workers: 2, apis: 2 });
    connection = await Connection.connect({ address: stack.temporalAddress });
  }, 180_000);
  afterAll(async () => {
    await connection?.close();
    await stack?.stop();
  });

  it('completes every group once, whichever API took it and whichever worker ran it', async () => {
    const [first, second] = stack.apiUrls as [string, string];
    const intakes = Array.from({ length: 12 }, () => birthIntake());
    // Each dossier is filed at both APIs at the same moment: one must win, the other see the same dossier.
    const answers = await Promise.all(intakes.flatMap((intake) => [postJson(`${first}/v1/dossiers`, intake, stack.tokens.clerk), postJson(`${second}/v1/dossiers`, intake, stack.tokens.clerk)]));
    expect(answers.every((a) => a.status === 200 || a.status === 201)).toBe(true);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(intakes.length);

    for (const intake of intakes) {
      const status = await eventually(async () => {
        const { body } = await getJson(`${second}/v1/dossiers/${intake.dossierNumber}`, stack.tokens.clerk);
        return endedStatuses.includes(body.status) ? body : undefined;
      }, 120_000);
      expect(status.status).toBe('COMPLETED');
    }

    // No act twice: the agencies issued one registration, one ID number and one card per dossier.
    const { issued } = (await getJson(`${stack.simulatorUrl}/_control/agencies`)).body;
    expect(issued).toMatchObject({ births: intakes.length, personalIds: intakes.length, cards: intakes.length });
    const db = new Pg({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM dossier WHERE dossier_number = ANY($1)`, [intakes.map((i) => i.dossierNumber)]);
      expect(Number(rows[0]!.n)).toBe(intakes.length);
      const audits = await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_entry WHERE action = 'dossier.submit' AND dossier_number = ANY($1)`, [intakes.map((i) => i.dossierNumber)]);
      expect(Number(audits.rows[0]!.n)).toBe(intakes.length);
    } finally {
      await db.end();
    }

    // Both workers poll the queue, and the deadline sweep both of them ensure exists once.
    const { pollers } = await connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: 'chaos' },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    expect(new Set(pollers?.map((p) => p.identity)).size).toBeGreaterThanOrEqual(2);
    const schedules: string[] = [];
    for await (const schedule of new Client({ connection }).schedule.list()) schedules.push(schedule.scheduleId);
    expect(schedules.filter((id) => id.includes('deadline'))).toHaveLength(1);
  }, 240_000);
});
