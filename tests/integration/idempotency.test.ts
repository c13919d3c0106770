import { randomUUID } from 'node:crypto';
import { signToken } from '../../api/auth/tokens';
import { withdrawUpdate, workflowIdFor } from '../../workflows/contract';
import { birthIntake, personalIdFor } from '../support/fixtures';
import { eventually, getJson, postJson, setAgencyFaults, startStack, type Stack } from '../support/stack';

/** A message sent again with its Idempotency-Key gets the first answer: one effect, one audit entry. */
describe('idempotent messages to the workflows', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ STEP_MAX_ATTEMPTS: '2', MANUAL_STEPS: 'POPULATION_DATABASE@01' });
  });
  afterAll(async () => {
    await stack.stop();
  });
  afterEach(async () => {
    await fetch(`${stack.simulatorUrl}/_control/reset-faults`, { method: 'POST' });
  });

  const send = async (path: string, body: unknown, token: string, key?: string) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any, replayed: response.headers.get('idempotent-replayed') === 'true' };
  };
  const audits = (dossierNumber: string, action: string) => stack.db.auditEntry.count({ where: { dossierNumber, action } });
  const waiting = async (status: string, step = 'PERMANENT_RESIDENCE') => {
    const intake = birthIntake();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    await eventually(async () => ((await stack.status(intake.dossierNumber)).steps.find((s: any) => s.step === step)?.status === status ? true : undefined));
    return intake.dossierNumber;
  };

  it('a withdrawal sent twice with one key is one withdrawal: the same answer, one audit entry', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { supplementRate: 1 });
    const dossierNumber = await waiting('WAITING_FOR_SUPPLEMENT');
    const key = `withdraw-${randomUUID()}`;
    const first = await send(`/v1/dossiers/${dossierNumber}/withdrawal`, { reason: 'the family withdraws' }, stack.tokens.clerk, key);
    const again = await send(`/v1/dossiers/${dossierNumber}/withdrawal`, { reason: 'the family withdraws' }, stack.tokens.clerk, key);
    expect([first.status, again.status, again.replayed]).toEqual([202, 202, true]);
    expect(again.body).toEqual(first.body);
    expect(await audits(dossierNumber, 'dossier.withdraw')).toBe(1);
    expect((await stack.untilEnded(dossierNumber)).status).toBe('WITHDRAWN');

    // The same key on another request is refused; without a key a second withdrawal is a plain 409.
    const reused = await send(`/v1/dossiers/${dossierNumber}/withdrawal`, { reason: 'another reason' }, stack.tokens.clerk, key);
    expect(reused.status).toBe(422);
    expect(reused.body.errors).toEqual([{ field: 'headers.idempotency-key', reason: 'already used for another request' }]);
    expect((await send(`/v1/dossiers/${dossierNumber}/withdrawal`, { reason: 'the family withdraws' }, stack.tokens.clerk)).status).toBe(409);
  });

  it('a retry after the message reached the workflow but the answer was lost gets 202, not 409, and one audit entry', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { supplementRate: 1 });
    const dossierNumber = await waiting('WAITING_FOR_SUPPLEMENT');
    const key = `withdraw-${randomUUID()}`;
    // The first attempt delivered its message to Temporal, then the API process died before answering.
    await stack.temporal.workflow
      .getHandle(workflowIdFor(dossierNumber))
      .executeUpdate(withdrawUpdate, { args: [{ reason: 'the family withdraws', requestedBy: 'dev-clerk-79-26743' }], updateId: `dev-clerk-79-26743/${key}` });
    const retry = await send(`/v1/dossiers/${dossierNumber}/withdrawal`, { reason: 'the family withdraws' }, stack.tokens.clerk, key);
    expect(retry.status).toBe(202);
    expect(await audits(dossierNumber, 'dossier.withdraw')).toBe(1);
    expect((await stack.untilEnded(dossierNumber)).status).toBe('WITHDRAWN');
  });

  it('two identical supplements racing with one key bring the documents once', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { supplementRate: 1 });
    const dossierNumber = await waiting('WAITING_FOR_SUPPLEMENT');
    await setAgencyFaults(stack.simulatorUrl, 'police', { supplementRate: 0 });
    const key = `supplement-${randomUUID()}`;
    const body = { step: 'PERMANENT_RESIDENCE', documents: ['LAWFUL_RESIDENCE_PROOF'] };
    const answers = await Promise.all([1, 2].map(() => send(`/v1/dossiers/${dossierNumber}/supplements`, body, stack.tokens.clerk, key)));
    expect(answers.filter((a) => a.status === 202).length).toBeGreaterThanOrEqual(1);
    expect(answers.every((a) => a.status === 202 || (a.status === 409 && a.body.title === 'Request in progress'))).toBe(true);
    expect((await stack.untilEnded(dossierNumber)).status).toBe('COMPLETED');
    const id = (await stack.db.dossier.findUniqueOrThrow({ where: { dossierNumber } })).id;
    const step = await stack.db.dossierStep.findUniqueOrThrow({ where: { dossierId_step: { dossierId: id, step: 'PERMANENT_RESIDENCE' } } });
    expect([step.round, step.supplementDocuments]).toEqual([1, ['LAWFUL_RESIDENCE_PROOF']]);
    expect(await audits(dossierNumber, 'dossier.supplement')).toBe(1);
  });

  it('a double-clicked bulk retry is one decision per incident', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: true });
    const numbers = [await waiting('INCIDENT'), await waiting('INCIDENT')];
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: false });
    const key = `bulk-${randomUUID()}`;
    const body = { filter: { step: 'PERMANENT_RESIDENCE', provinceCode: '79' }, decision: 'RETRY', reason: 'police back online' };
    const first = await send('/v1/supervision/incidents/decisions', body, stack.tokens.provinceSupervisor, key);
    const again = await send('/v1/supervision/incidents/decisions', body, stack.tokens.provinceSupervisor, key);
    expect(first.status).toBe(200);
    expect(first.body.accepted).toBeGreaterThanOrEqual(2);
    expect([again.status, again.replayed, again.body]).toEqual([200, true, first.body]);
    for (const dossierNumber of numbers) {
      expect((await stack.untilEnded(dossierNumber)).status).toBe('COMPLETED');
      expect(await audits(dossierNumber, 'incident.retry')).toBe(1);
    }
  });

  it('a task completion repeated with its key answers as the first time', async () => {
    // A dossier of Hà Nội's commune 00004, where the population database works by hand.
    const place = { provinceCode: '01', communeCode: '00004' };
    const intake = birthIntake({ jurisdiction: place, procedures: { permanentResidence: false, healthInsurance: false }, residence: undefined, healthInsurance: undefined });
    const resident = (parent: typeof intake.mother) => parent && { ...parent, residence: { ...parent.residence, ...place } };
    const numbered = { ...intake, mother: resident(intake.mother), father: resident(intake.father), dossierNumber: `H01.00004-${randomUUID().slice(0, 8)}` };
    const officer = stack.tokens.populationDatabaseSystem;
    const clerk01 = await signToken(stack.config, { role: 'CLERK', subject: 'clerk-01-00004', agency: 'CIVIL_STATUS', jurisdiction: { scope: 'COMMUNE', provinceCode: '01', communeCode: '00004' } });
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, numbered, clerk01)).status).toBe(201);
    const task = await eventually(async () => (await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${numbered.dossierNumber}&step=PERSONAL_ID`, officer)).body.items?.[0]);
    const result = { personalIdNumber: personalIdFor(numbered.child).replace(/^079/, '001'), issuedAt: new Date().toISOString() };
    const key = `complete-${randomUUID()}`;
    const first = await send(`/v1/tasks/${task.id}/completion`, { result }, officer, key);
    const again = await send(`/v1/tasks/${task.id}/completion`, { result }, officer, key);
    expect([first.status, again.status, again.replayed]).toEqual([200, 200, true]);
    expect(again.body).toEqual(first.body);
    expect(await audits(numbered.dossierNumber, 'task.complete')).toBe(1);
    const ended = await eventually(async () => {
      const { status } = await stack.db.dossier.findUniqueOrThrow({ where: { dossierNumber: numbered.dossierNumber } });
      return status === 'COMPLETED' ? status : undefined;
    });
    expect(ended).toBe('COMPLETED');
  });

  it('a malformed key is a 400 naming the header', async () => {
    const response = await send('/v1/supervision/incidents/decisions', { filter: {}, decision: 'RETRY', reason: 'whatever it is' }, stack.tokens.provinceSupervisor, 'no spaces allowed here');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'headers.idempotency-key', reason: expect.stringContaining('letters, digits') }]);
  });
});
