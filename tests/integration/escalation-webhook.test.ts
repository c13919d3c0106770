import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { createEscalationActivities } from '../../activities/escalation';
import type { ActivityDependencies } from '../../activities';
import { createLogger } from '../../runtime/logger';
import { createDatabaseMetricsSource } from '../../runtime/metrics-source';
import { ensureDeadlineSweepSchedule } from '../../runtime/deadline-sweep-schedule';
import { deadlineSweepScheduleId, searchAttributes } from '../../workflows/contract';
import { birthIntake } from '../support/fixtures';
import { eventually, getJson, postJson, setAgencyFaults, startStack, type Stack } from '../support/stack';

describe('escalation of an overdue dossier: recorded once, announced to the webhook', () => {
  let stack: Stack;
  let receiver: Server;
  let url: string;
  const received: { key: string | undefined; body: any }[] = [];
  let answer = 500;
  /** Dossiers whose escalations the receiver answers 500, whatever `answer` says. */
  const refused = new Set<string>();

  beforeAll(async () => {
    stack = await startStack();
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const notice = JSON.parse(body);
        received.push({ key: request.headers['idempotency-key'] as string | undefined, body: notice });
        response.writeHead(refused.has(notice.dossierNumber) ? 500 : answer).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/escalations`;
  });
  afterAll(async () => {
    await stack.stop();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const activities = (maxAttempts = 30) =>
    createEscalationActivities({
      db: stack.db,
      logger: createLogger({ level: 'silent' }),
      escalationWebhook: { url, timeoutMs: 2000, maxAttempts },
      temporal: stack.temporal,
    } as ActivityDependencies);
  /** As if the wait after a failed announcement were over. */
  const dueNow = (where: { dossierId: string }, at = new Date(Date.now() - 1000)) => stack.db.escalation.updateMany({ where, data: { nextAttemptAt: at } });
  const escalationOf = (dossierId: string) => stack.db.escalation.findFirstOrThrow({ where: { dossierId } });
  const completedDossier = async () => {
    const intake = birthIntake();
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    const { dossierId } = await eventually(async () => {
      const { body } = await getJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}`, stack.tokens.clerk);
      return body.status === 'COMPLETED' ? (body as { dossierId: string }) : undefined;
    });
    return { intake, dossierId };
  };
  /** A birth group's residence step with the police (whose system the caller has made fail), its deadline set. */
  const stepWithThePolice = async () => {
    const intake = birthIntake({ procedures: { permanentResidence: true, healthInsurance: false } });
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    const step = await eventually(async () => {
      const row = await stack.db.dossierStep.findFirst({ where: { dossier: { dossierNumber: intake.dossierNumber }, step: 'PERMANENT_RESIDENCE', dueAt: { not: null } } });
      return row ?? undefined;
    });
    return { intake, step };
  };

  it('marks the dossier overdue, records each level once; an announcement the webhook failed waits, then goes out again under its key', async () => {
    const { intake, dossierId } = await completedDossier();
    const { escalate, escalateOverdueSteps } = activities();

    // The group's own timer escalates with the webhook down: recorded, announced once, left to the sweep.
    answer = 500;
    await escalate({ dossierId, level: 1 });
    const dossier = await stack.db.dossier.findUniqueOrThrow({ where: { id: dossierId } });
    expect(dossier.escalationLevel).toBe(1);
    expect(dossier.overdueSince).not.toBeNull();
    const failed = await escalationOf(dossierId);
    expect(failed).toMatchObject({ step: '', deliveredAt: null, givenUpAt: null, attempts: 1, lastError: 'escalation webhook answered HTTP 500' });
    expect(failed.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    await escalate({ dossierId, level: 1 }); // the activity retried before the wait is over: nothing sent
    expect(received).toHaveLength(1);

    answer = 204;
    await dueNow({ dossierId });
    await escalateOverdueSteps({ limit: 1000 });
    await escalate({ dossierId, level: 1 }); // a repeat after delivery sends nothing more
    await escalateOverdueSteps({ limit: 1000 });
    expect(await stack.db.escalation.count({ where: { dossierId } })).toBe(1);
    expect(await escalationOf(dossierId)).toMatchObject({ attempts: 2, lastError: null, deliveredAt: expect.any(Date) });
    // The sweep also announces other files' overdue dossiers in the shared database: only this one's count.
    const mine = () => received.filter((r) => r.body.dossierNumber === intake.dossierNumber);
    expect(mine()).toHaveLength(2);
    expect(mine()[0]?.key).toBe(mine()[1]?.key);
    expect(mine()[1]?.body).toMatchObject({ dossierNumber: intake.dossierNumber, procedureGroup: 'BIRTH', level: 1, provinceCode: '79', communeCode: '26743' });
    // No personal data leaves with an escalation.
    const text = JSON.stringify(received);
    for (const secret of [intake.child.fullName, intake.mother!.fullName, intake.mother!.personalIdNumber]) expect(text).not.toContain(secret);

    await escalate({ dossierId, level: 2 });
    expect(mine()[2]?.body).toMatchObject({ step: null, level: 2 });
    expect((await stack.db.dossier.findUniqueOrThrow({ where: { id: dossierId } })).escalationLevel).toBe(2);
    const events = await stack.db.dossierEvent.findMany({ where: { dossierId, type: 'ESCALATED' } });
    expect(events.map((e) => e.detail)).toEqual([{ level: 1 }, { level: 2 }]);
  });

  it("a group's escalation its workflow recorded but never announced (the activity gave up) is announced by the sweep, once", async () => {
    const { intake, dossierId } = await completedDossier();
    // What the group's escalation timer leaves when its announcement gave up: the record, undelivered.
    await createEscalationActivities({ db: stack.db, logger: createLogger({ level: 'silent' }) } as ActivityDependencies).escalate({ dossierId, level: 1 });
    answer = 204;
    const { escalateOverdueSteps } = activities();
    await escalateOverdueSteps({ limit: 1000 });
    await escalateOverdueSteps({ limit: 1000 });
    const mine = received.filter((r) => r.body.dossierNumber === intake.dossierNumber);
    expect(mine.map((r) => r.body)).toEqual([expect.objectContaining({ step: null, level: 1, procedureGroup: 'BIRTH' })]);
    expect((await escalationOf(dossierId)).deliveredAt).not.toBeNull();
  });

  it("the deadline sweep escalates a step still with its agency after its deadline, once, and marks the workflow overdue", async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: true });
    const { intake, step } = await stepWithThePolice();
    // The police's working days have run out.
    await stack.db.dossierStep.update({ where: { id: step.id }, data: { dueAt: new Date(Date.now() - 60_000) } });
    const { escalateOverdueSteps } = activities();
    answer = 204;
    received.length = 0;

    const first = await escalateOverdueSteps({ limit: 1000 });
    expect(first.escalated).toBeGreaterThanOrEqual(1);
    const mine = () => received.filter((r) => r.body.dossierNumber === intake.dossierNumber);
    expect(mine().map((r) => r.body)).toEqual([expect.objectContaining({ step: 'PERMANENT_RESIDENCE', level: 1 })]);
    const escalation = await stack.db.escalation.findFirstOrThrow({ where: { dossierId: step.dossierId } });
    expect(escalation).toMatchObject({ step: 'PERMANENT_RESIDENCE', level: 1 });
    expect(escalation.deliveredAt).not.toBeNull();
    const workflowId = `dossier-${intake.dossierNumber}`;
    await eventually(async () => ((await stack.temporal.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(searchAttributes.overdue) ? true : undefined));

    // Escalated once: the next sweep leaves it alone.
    await escalateOverdueSteps({ limit: 1000 });
    expect(mine()).toHaveLength(1);
    expect(await stack.db.escalation.count({ where: { dossierId: step.dossierId } })).toBe(1);
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: false });
  });

  it('a webhook failing old escalations holds up no new one: each failure waits its turn, oldest due first, then is given up', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: true });
    // Two steps late for long whose escalations the receiver keeps failing, and one late just now.
    const [old1, old2, fresh] = await Promise.all(
      [3, 2, 1].map(async (hoursLate) => {
        const { intake, step } = await stepWithThePolice();
        return { number: intake.dossierNumber, dossierId: step.dossierId, stepId: step.id, dueAt: new Date(Date.now() - hoursLate * 3600_000) };
      }),
    );
    const lateNow = (...late: (typeof old1)[]) =>
      Promise.all(late.map((s) => stack.db.dossierStep.update({ where: { id: s!.stepId }, data: { dueAt: s!.dueAt } })));
    refused.add(old1!.number);
    refused.add(old2!.number);
    answer = 204;
    received.length = 0;
    const { escalateOverdueSteps } = activities(3);
    const sent = (s: typeof old1) => received.filter((r) => r.body.dossierNumber === s!.number).length;

    await lateNow(old1, old2);
    await escalateOverdueSteps({ limit: 2 });
    expect([sent(old1), sent(old2)]).toEqual([1, 1]);

    // The old ones wait after their failure; the new one is recorded and announced at once.
    await lateNow(fresh);
    await escalateOverdueSteps({ limit: 2 });
    expect(sent(fresh)).toBe(1);
    expect((await escalationOf(fresh!.dossierId)).deliveredAt).not.toBeNull();
    expect([sent(old1), sent(old2)]).toEqual([1, 1]);
    for (const s of [old1, old2]) expect(await escalationOf(s!.dossierId)).toMatchObject({ attempts: 1, deliveredAt: null, lastError: 'escalation webhook answered HTTP 500' });

    // Both due again: one per run (limit 1), the earliest due first, then the other: no stuck batch.
    await dueNow({ dossierId: old1!.dossierId }, new Date(Date.now() - 2000));
    await dueNow({ dossierId: old2!.dossierId }, new Date(Date.now() - 1000));
    await escalateOverdueSteps({ limit: 1 });
    expect([sent(old1), sent(old2)]).toEqual([2, 1]);
    await escalateOverdueSteps({ limit: 1 });
    expect([sent(old1), sent(old2)]).toEqual([2, 2]);

    // The third failure is the last: given up, counted for the supervisors, never tried again.
    await dueNow({ dossierId: old1!.dossierId });
    await escalateOverdueSteps({ limit: 10 });
    const givenUp = await escalationOf(old1!.dossierId);
    expect(givenUp).toMatchObject({ attempts: 3, deliveredAt: null, givenUpAt: expect.any(Date), lastError: 'escalation webhook answered HTTP 500' });
    const counts = await createDatabaseMetricsSource(stack.db).undeliveredEscalationCounts();
    expect(counts.find((c) => c.status === 'GIVEN_UP')?.count).toBeGreaterThanOrEqual(1);
    await dueNow({ dossierId: old1!.dossierId });
    await escalateOverdueSteps({ limit: 10 });
    expect(sent(old1)).toBe(3);
    expect((await escalationOf(old1!.dossierId)).attempts).toBe(3);

    refused.clear();
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: false });
  });

  it("the worker keeps one deadline-sweep schedule, brought to the latest worker's queue and interval, which runs the sweep workflow", async () => {
    // An earlier deployment's schedule (another queue, where no worker listens now, and another interval).
    await ensureDeadlineSweepSchedule(stack.temporal, `gone-${stack.config.TEMPORAL_TASK_QUEUE}`, 60);
    await ensureDeadlineSweepSchedule(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, 5);
    await ensureDeadlineSweepSchedule(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, 5); // idempotent
    const schedule = stack.temporal.schedule.getHandle(deadlineSweepScheduleId);
    try {
      const described = await schedule.describe();
      expect(described.action).toMatchObject({ type: 'startWorkflow', taskQueue: stack.config.TEMPORAL_TASK_QUEUE });
      expect(described.spec.intervals).toEqual([expect.objectContaining({ every: 5 * 60_000 })]);
      expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
      // Other files' workers (their processes gone) may have left a run of their own: this one starts whatever they left.
      const triggeredAt = Date.now() - 1000;
      await schedule.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
      const run = await eventually(async () => (await schedule.describe()).info.recentActions.filter((a) => a.takenAt.getTime() >= triggeredAt).at(-1));
      const result = await stack.temporal.workflow.getHandle(run.action.workflow.workflowId).result();
      expect(result).toEqual({ escalated: expect.any(Number), failed: expect.any(Number) });
    } finally {
      await schedule.delete();
    }
  });
});
