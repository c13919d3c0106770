import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { buildApi } from '../../api/app';
import { deliverMessages } from '../../api/message-outbox';
import { taskDecisionOutbox } from '../../api/task-inbox';
import { createWorkingCalendar } from '../../domain/working-days';
import { createLogger } from '../../runtime/logger';
import { unreachableTemporal } from '../support/unreachable-temporal';
import { birthIntake } from '../support/fixtures';
import { eventually, getJson, postJson, startStack, type Stack } from '../support/stack';

const today = () => new Date().toISOString().slice(0, 10);
const registration = (number: string) => ({ registrationNumber: number, book: '01/2026-KS', page: 1, registeredOn: today() });
/** How many dossiers each race is tried on. */
const tries = 50;

/**
 * An officer's decision meets the workflow: two decisions on one task at the same moment (two tabs, a
 * double click, two officers) leave exactly one, recorded once; a decision made while Temporal cannot
 * be reached is kept and delivered when it can.
 */
describe('task decisions: one decision per task, recorded by the workflow', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ MANUAL_STEPS: 'CIVIL_STATUS@79/26743,POPULATION_DATABASE' });
  });
  afterAll(async () => {
    await stack.stop();
  });

  const inboxTask = (token: string, dossierNumber: string, step: string, kind = 'ACT') =>
    eventually(async () => {
      const { body } = await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${encodeURIComponent(dossierNumber)}&step=${step}&kind=${kind}`, token);
      return body.items[0];
    }, 90_000);
  /** The officer's task, claimed: an officer decides only a task they hold. */
  const heldTask = async (token: string, dossierNumber: string, step: string, kind = 'ACT') => {
    const task = await inboxTask(token, dossierNumber, step, kind);
    expect((await postJson(`${stack.apiUrl}/v1/tasks/${task.id}/claim`, {}, token)).status).toBe(200);
    return task;
  };
  const decide = (apiUrl: string, token: string, taskId: string, what: string, body: unknown) =>
    postJson(`${apiUrl}/v1/tasks/${taskId}/${what}`, body, token, { 'idempotency-key': `click-${randomUUID()}` });
  const submit = async () => {
    const intake = birthIntake({ procedures: { permanentResidence: false, healthInsurance: false } });
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    return intake.dossierNumber;
  };
  const events = (dossierNumber: string, type: string, step: string) => stack.db.dossierEvent.count({ where: { dossier: { dossierNumber }, type, step } });
  const statusOf = async (dossierNumber: string, step: string) => (await stack.status(dossierNumber)).steps.find((s: any) => s.step === step);

  it(`two completions of one act task sent at once (${tries} dossiers): one 200, one 409, the winner's result recorded once and the group moves on`, async () => {
    const dossiers = await Promise.all(Array.from({ length: tries }, submit));
    const officer = stack.tokens.civilStatusOfficer;
    const outcomes = await Promise.all(
      dossiers.map(async (dossierNumber, i) => {
        const task = await heldTask(officer, dossierNumber, 'BIRTH_REGISTRATION');
        const [a, b] = await Promise.all([
          decide(stack.apiUrl, officer, task.id, 'completion', { result: registration(`${i + 1}/A`) }),
          // Half the races pit a completion against a refusal: still one decision.
          i % 2 === 0
            ? decide(stack.apiUrl, officer, task.id, 'completion', { result: registration(`${i + 1}/B`) })
            : decide(stack.apiUrl, officer, task.id, 'refusal', { code: 'INCOMPLETE_DOSSIER', reason: 'the other tab' }),
        ]);
        return { dossierNumber, task, a, b, i };
      }),
    );
    for (const { dossierNumber, task, a, b, i } of outcomes) {
      const statuses = [a.status, b.status].sort();
      expect(statuses.filter((s) => s === 409)).toHaveLength(1);
      expect([200, 202]).toContain(statuses[0]);
      const winner = a.status === 409 ? { which: 'B', kind: i % 2 === 0 ? 'COMPLETED' : 'REFUSED' } : { which: 'A', kind: 'COMPLETED' };
      const done = await eventually(async () => {
        const { body } = await getJson(`${stack.apiUrl}/v1/tasks/${task.id}`, stack.tokens.civilStatusOfficer);
        return body.status === 'DONE' ? body : undefined;
      });
      expect(done).toMatchObject({ outcome: winner.kind, completedBy: 'dev-civil-status-79-26743', decisionPending: false });
      const step = await statusOf(dossierNumber, 'BIRTH_REGISTRATION');
      if (winner.kind === 'COMPLETED') {
        expect(step).toMatchObject({ status: 'COMPLETED', result: { registrationNumber: `${i + 1}/${winner.which}` } });
        expect(await events(dossierNumber, 'STEP_COMPLETED', 'BIRTH_REGISTRATION')).toBe(1);
        // The group went on from the recorded result: the ID number's task is in its inbox.
        await inboxTask(stack.tokens.populationDatabaseSystem, dossierNumber, 'PERSONAL_ID');
      } else {
        expect(step).toMatchObject({ status: 'REFUSED', result: null });
        expect(await events(dossierNumber, 'STEP_REFUSED', 'BIRTH_REGISTRATION')).toBe(1);
        expect((await stack.untilEnded(dossierNumber)).status).toBe('REFUSED');
      }
      expect(await stack.db.citizenNotification.count({ where: { dossier: { dossierNumber }, step: 'BIRTH_REGISTRATION' } })).toBeLessThanOrEqual(1);
    }
  }, 600_000);

  it(`two completions of one undo task sent at once (${tries} dossiers): the act undone once and the group withdrawn`, async () => {
    const dossiers = await Promise.all(Array.from({ length: tries }, submit));
    const officer = stack.tokens.civilStatusOfficer;
    const results = await Promise.all(
      dossiers.map(async (dossierNumber, i) => {
        const act = await heldTask(officer, dossierNumber, 'BIRTH_REGISTRATION');
        expect([200, 202]).toContain((await decide(stack.apiUrl, officer, act.id, 'completion', { result: registration(`${i + 1}/U`) })).status);
        // The ID number waits in its inbox while the family withdraws: the registration is undone by hand.
        await inboxTask(stack.tokens.populationDatabaseSystem, dossierNumber, 'PERSONAL_ID');
        expect((await postJson(`${stack.apiUrl}/v1/dossiers/${dossierNumber}/withdrawal`, { reason: 'the family withdraws' }, stack.tokens.clerk)).status).toBe(202);
        const undo = await heldTask(officer, dossierNumber, 'BIRTH_REGISTRATION', 'UNDO');
        const pair = await Promise.all([
          decide(stack.apiUrl, officer, undo.id, 'completion', { result: { reference: `QD-HUY-${i}-A` } }),
          decide(stack.apiUrl, officer, undo.id, 'completion', { result: { reference: `QD-HUY-${i}-B` } }),
        ]);
        return { dossierNumber, statuses: pair.map((p) => p.status).sort() };
      }),
    );
    for (const { dossierNumber, statuses } of results) {
      expect(statuses.filter((s) => s === 409)).toHaveLength(1);
      expect([200, 202]).toContain(statuses[0]);
      const ended = await stack.untilEnded(dossierNumber);
      expect(ended.status).toBe('WITHDRAWN');
      expect(ended.steps.find((s: any) => s.step === 'BIRTH_REGISTRATION')).toMatchObject({ status: 'COMPENSATED' });
      expect(await events(dossierNumber, 'STEP_COMPENSATED', 'BIRTH_REGISTRATION')).toBe(1);
      expect(await stack.db.agencyTask.count({ where: { dossier: { dossierNumber }, kind: 'UNDO', status: 'DONE' } })).toBe(1);
    }
  }, 600_000);

  it('a decision made while Temporal cannot be reached is kept (202), refused a second time, and delivered once Temporal is back', async () => {
    const dossierNumber = await submit();
    const task = await heldTask(stack.tokens.civilStatusOfficer, dossierNumber, 'BIRTH_REGISTRATION');
    // An API instance cut off from Temporal: its client points at a port nothing listens on.
    const cutOff = await unreachableTemporal(stack.config.TEMPORAL_NAMESPACE);
    const logger = createLogger({ level: 'silent', name: 'api' });
    const api = await buildApi({
      db: stack.db,
      temporal: cutOff,
      config: stack.config,
      logger,
      calendar: createWorkingCalendar({ cutoffHour: stack.config.INTAKE_CUTOFF_HOUR }),
    });
    const apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });
    try {
      const officer = stack.tokens.civilStatusOfficer;
      const kept = await decide(apiUrl, officer, task.id, 'completion', { result: registration('9/OUT') });
      expect(kept.status).toBe(202);
      expect(kept.body).toMatchObject({ status: 'CLAIMED', decisionPending: true });
      expect((await decide(apiUrl, officer, task.id, 'refusal', { code: 'INCOMPLETE_DOSSIER', reason: 'second thoughts' })).status).toBe(409);
      // Nothing written beside the workflow while it could not be told.
      expect(await statusOf(dossierNumber, 'BIRTH_REGISTRATION')).toMatchObject({ status: 'RUNNING', result: null });
      // The relay of an instance cut off too leaves it pending; one that reaches Temporal (this test's,
      // or the stack's own, whichever runs first) delivers it once it is due.
      await deliverMessages({ db: stack.db, temporal: cutOff, logger }, taskDecisionOutbox(cutOff), { concurrency: 1 });
      expect(await stack.db.taskDecision.findFirstOrThrow({ where: { taskId: task.id } })).toMatchObject({ deliveredAt: null });
      await stack.db.taskDecision.updateMany({ where: { taskId: task.id }, data: { nextAttemptAt: new Date() } });
      await deliverMessages({ db: stack.db, temporal: stack.temporal, logger }, taskDecisionOutbox(stack.temporal), { concurrency: 1 });
      const decision = await stack.db.taskDecision.findFirstOrThrow({ where: { taskId: task.id } });
      expect(decision.outcomeOfDelivery).toBe('DELIVERED');
      expect(decision.attempts).toBeGreaterThanOrEqual(2);
      expect(await statusOf(dossierNumber, 'BIRTH_REGISTRATION')).toMatchObject({ status: 'COMPLETED', result: { registrationNumber: '9/OUT' } });
      await inboxTask(stack.tokens.populationDatabaseSystem, dossierNumber, 'PERSONAL_ID');
      // Delivered again (a relay that crashed before its mark): Temporal answers the same update once.
      await stack.db.taskDecision.update({ where: { id: decision.id }, data: { deliveredAt: null, outcomeOfDelivery: null, nextAttemptAt: new Date() } });
      expect(await deliverMessages({ db: stack.db, temporal: stack.temporal, logger }, taskDecisionOutbox(stack.temporal), { concurrency: 1 })).toBe(1);
      expect(await events(dossierNumber, 'STEP_COMPLETED', 'BIRTH_REGISTRATION')).toBe(1);
    } finally {
      await api.close();
      await cutOff.connection.close();
    }
  }, 120_000);

  it('the same request repeated after a lost answer is the same decision, answered again', async () => {
    const dossierNumber = await submit();
    const task = await heldTask(stack.tokens.civilStatusOfficer, dossierNumber, 'BIRTH_REGISTRATION');
    const send = () =>
      postJson(`${stack.apiUrl}/v1/tasks/${task.id}/completion`, { result: registration('7/REPEAT') }, stack.tokens.civilStatusOfficer, { 'idempotency-key': `repeat-${task.id}` });
    const first = await send();
    expect(first.status).toBe(200);
    // The stored answer lost (a crash before it was kept): the decision is found by its key and answered again.
    await stack.db.idempotentRequest.deleteMany({ where: { key: `repeat-${task.id}` } });
    const again = await send();
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'DONE', outcome: 'COMPLETED' });
    expect(await stack.db.taskDecision.count({ where: { taskId: task.id } })).toBe(1);
    expect(await events(dossierNumber, 'STEP_COMPLETED', 'BIRTH_REGISTRATION')).toBe(1);
  });

  it('a key reused for another decision (after an answer that was not kept) is a 422, never the earlier decision again', async () => {
    const dossierNumber = await submit();
    const task = await heldTask(stack.tokens.civilStatusOfficer, dossierNumber, 'BIRTH_REGISTRATION');
    const key = { 'idempotency-key': `reused-${task.id}` };
    const officer = stack.tokens.civilStatusOfficer;
    expect((await postJson(`${stack.apiUrl}/v1/tasks/${task.id}/completion`, { result: registration('5/KEY') }, officer, key)).status).toBe(200);
    await stack.db.idempotentRequest.deleteMany({ where: { key: key['idempotency-key'] } });
    const other = await postJson(`${stack.apiUrl}/v1/tasks/${task.id}/refusal`, { code: 'INCOMPLETE_DOSSIER', reason: 'another decision' }, officer, key);
    expect(other.status).toBe(422);
    expect(other.body.errors).toEqual([{ field: 'headers.idempotency-key', reason: 'already used for another decision' }]);
    expect(await stack.db.auditEntry.count({ where: { dossierNumber, action: 'task.refuse' } })).toBe(0);
  });
});
