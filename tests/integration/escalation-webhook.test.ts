import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEscalationActivities } from '../../activities/escalation';
import type { ActivityDependencies } from '../../activities';
import { createLogger } from '../../runtime/logger';
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

  beforeAll(async () => {
    stack = await startStack();
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ key: request.headers['idempotency-key'] as string | undefined, body: JSON.parse(body) });
        response.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/escalations`;
  });
  afterAll(async () => {
    await stack.stop();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('marks the dossier overdue, records each level once, and retries the webhook until it accepts', async () => {
    const intake = birthIntake();
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    const { dossierId } = await eventually(async () => {
      const { body } = await getJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}`, stack.tokens.clerk);
      return body.status === 'COMPLETED' ? body : undefined;
    });
    const { escalate } = createEscalationActivities({ db: stack.db, logger: createLogger({ level: 'silent' }), escalationWebhook: { url, timeoutMs: 2000 } } as ActivityDependencies);

    answer = 500;
    await expect(escalate({ dossierId, level: 1 })).rejects.toThrow('HTTP 500');
    const dossier = await stack.db.dossier.findUniqueOrThrow({ where: { id: dossierId } });
    expect(dossier.escalationLevel).toBe(1);
    expect(dossier.overdueSince).not.toBeNull();

    answer = 204;
    await escalate({ dossierId, level: 1 }); // the activity's retry
    await escalate({ dossierId, level: 1 }); // a repeat after delivery sends nothing more
    expect(await stack.db.escalation.count({ where: { dossierId } })).toBe(1);
    expect((await stack.db.escalation.findFirstOrThrow({ where: { dossierId } })).deliveredAt).not.toBeNull();
    expect(received).toHaveLength(2);
    expect(received[0]?.key).toBe(received[1]?.key);
    expect(received[1]?.body).toMatchObject({ dossierNumber: intake.dossierNumber, procedureGroup: 'BIRTH', level: 1, provinceCode: '79', communeCode: '26734' });
    // No personal data leaves with an escalation.
    const text = JSON.stringify(received);
    for (const secret of [intake.child.fullName, intake.mother!.fullName, intake.mother!.personalIdNumber]) expect(text).not.toContain(secret);

    await escalate({ dossierId, level: 2 });
    expect((await stack.db.dossier.findUniqueOrThrow({ where: { id: dossierId } })).escalationLevel).toBe(2);
    const events = await stack.db.dossierEvent.findMany({ where: { dossierId, type: 'ESCALATED' } });
    expect(events.map((e) => e.detail)).toEqual([{ level: 1 }, { level: 2 }]);
  });

  it("the deadline sweep escalates a step still with its agency after its deadline, once, and marks the workflow overdue", async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: true });
    const intake = birthIntake({ procedures: { permanentResidence: true, healthInsurance: false } });
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    const step = await eventually(async () => {
      const row = await stack.db.dossierStep.findFirst({ where: { dossier: { dossierNumber: intake.dossierNumber }, step: 'PERMANENT_RESIDENCE', dueAt: { not: null } } });
      return row ?? undefined;
    });
    // The police's working days have run out.
    await stack.db.dossierStep.update({ where: { id: step.id }, data: { dueAt: new Date(Date.now() - 60_000) } });
    const { escalateOverdueSteps } = createEscalationActivities({
      db: stack.db,
      logger: createLogger({ level: 'silent' }),
      escalationWebhook: { url, timeoutMs: 2000 },
      temporal: stack.temporal,
    } as ActivityDependencies);
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

  it('the worker keeps one deadline-sweep schedule, which runs the sweep workflow', async () => {
    await ensureDeadlineSweepSchedule(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, 5);
    await ensureDeadlineSweepSchedule(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, 5); // idempotent
    const schedule = stack.temporal.schedule.getHandle(deadlineSweepScheduleId);
    try {
      await schedule.trigger();
      const run = await eventually(async () => (await schedule.describe()).info.recentActions[0]);
      const result = await stack.temporal.workflow.getHandle(run.action.workflow.workflowId).result();
      expect(result).toEqual({ escalated: expect.any(Number), failed: expect.any(Number) });
    } finally {
      await schedule.delete();
    }
  });
});
