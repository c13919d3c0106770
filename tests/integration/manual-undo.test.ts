import { randomInt } from 'node:crypto';
import { birthIntake } from '../support/fixtures';
import { eventually, getJson, postJson, startStack, type Stack } from '../support/stack';

const today = () => new Date().toISOString().slice(0, 10);
/** A plausible ID number for the fixture's child (province 079, girl born in the 2000s, 2026), unique per test. */
const personalId = () => ({ personalIdNumber: `079326${String(randomInt(1_000_000)).padStart(6, '0')}`, issuedAt: new Date().toISOString() });
const residence = () => ({ residenceRecordNumber: `TT-79-${randomInt(10_000)}`, registeredOn: today() });

describe('what an officer did by hand is undone by hand: undo tasks in the agency inbox', () => {
  let stack: Stack;
  beforeAll(async () => {
    // The population database and the commune police work by hand; social security too, to leave a task undecided.
    stack = await startStack({ MANUAL_STEPS: 'POPULATION_DATABASE,COMMUNE_POLICE@79,SOCIAL_SECURITY@79' });
  });
  afterAll(async () => {
    await stack.stop();
  });

  const stepOf = (body: any, step: string) => body.steps.find((s: any) => s.step === step);
  const act = (token: string, id: string, what: string, body: unknown = {}) => postJson(`${stack.apiUrl}/v1/tasks/${id}/${what}`, body, token);
  const inbox = async (token: string, dossierNumber: string, query = '') => {
    const { status, body } = await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${encodeURIComponent(dossierNumber)}${query}`, token);
    expect(status).toBe(200);
    return body.items as any[];
  };
  const openTask = (token: string, dossierNumber: string, query: string) => eventually(async () => (await inbox(token, dossierNumber, query))[0]);
  const agencyCalls = async () => (await getJson(`${stack.simulatorUrl}/_control/agencies`)).body.calls as Record<string, number>;
  const submit = async (intake = birthIntake()) => {
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    return intake.dossierNumber;
  };
  const withdraw = async (dossierNumber: string) =>
    expect((await postJson(`${stack.apiUrl}/v1/dossiers/${dossierNumber}/withdrawal`, { reason: 'the family moves abroad' }, stack.tokens.clerk)).status).toBe(202);

  it('a withdrawal opens undo tasks for the acts done by hand; the dossier is withdrawn only once officers undid them', async () => {
    const t = stack.tokens;
    const before = await agencyCalls();
    const dossierNumber = await submit();
    const idResult = personalId();
    const idTask = await openTask(t.populationDatabaseSystem, dossierNumber, '&step=PERSONAL_ID');
    expect(idTask.kind).toBe('ACT');
    expect((await act(t.populationDatabaseSystem, idTask.id, 'completion', { result: idResult })).status).toBe(200);
    const residenceTask = await openTask(t.policeOfficer, dossierNumber, '&step=PERMANENT_RESIDENCE');
    // An officer decides a task once it is theirs.
    expect((await act(t.policeOfficer, residenceTask.id, 'completion', { result: residence() })).status).toBe(409);
    expect((await act(t.policeOfficer, residenceTask.id, 'claim')).status).toBe(200);
    expect((await act(t.policeOfficer, residenceTask.id, 'completion', { result: residence() })).status).toBe(200);
    const cardTask = await openTask(t.socialSecurityOfficer, dossierNumber, '&step=CHILD_HEALTH_INSURANCE');

    await withdraw(dossierNumber);
    // Newest act first: the residence entry. The card was never decided: its task is cancelled, nothing to undo.
    const residenceUndo = await openTask(t.policeOfficer, dossierNumber, '&kind=UNDO');
    expect(residenceUndo).toMatchObject({ step: 'PERMANENT_RESIDENCE', kind: 'UNDO', agency: 'COMMUNE_POLICE', status: 'OPEN', overdue: false });
    expect(Date.parse(residenceUndo.dueAt)).toBeGreaterThan(Date.now());
    const residenceDetail = await getJson(`${stack.apiUrl}/v1/tasks/${residenceUndo.id}`, t.policeOfficer);
    expect(residenceDetail.body.input.act.residenceRecordNumber).toMatch(/^TT-79-/);
    // Only the police's inbox holds it; the dossier is not yet withdrawn, the act still stands.
    for (const other of [t.populationDatabaseSystem, t.socialSecurityOfficer, t.civilStatusOfficer]) {
      expect(await inbox(other, dossierNumber, '&kind=UNDO')).toEqual([]);
    }
    expect((await getJson(`${stack.apiUrl}/v1/tasks/${cardTask.id}`, t.socialSecurityOfficer)).body.status).toBe('CANCELLED');
    const waiting = await stack.status(dossierNumber);
    expect(waiting.status).not.toBe('WITHDRAWN');
    expect(stepOf(waiting, 'PERMANENT_RESIDENCE')).toMatchObject({ status: 'COMPLETED', compensation: null, task: { kind: 'UNDO', status: 'OPEN' } });
    expect(stepOf(waiting, 'PERSONAL_ID')).toMatchObject({ status: 'COMPLETED', compensation: null });
    expect(stepOf(waiting, 'CHILD_HEALTH_INSURANCE').status).toBe('CANCELLED');
    const requested = await stack.db.dossierEvent.count({ where: { dossier: { dossierNumber }, type: 'COMPENSATION_REQUESTED', step: 'PERMANENT_RESIDENCE' } });
    expect(requested).toBe(1);

    // The undo result is validated; an undo never waits for a supplement.
    expect((await act(t.policeOfficer, residenceUndo.id, 'claim')).status).toBe(200);
    const bad = await act(t.policeOfficer, residenceUndo.id, 'completion', { result: { reference: '  ' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field)).toEqual(['body.result.reference']);
    expect((await act(t.policeOfficer, residenceUndo.id, 'supplement-request', { reason: 'more papers' })).status).toBe(409);
    const undone = await act(t.policeOfficer, residenceUndo.id, 'completion', { result: { reference: 'QD-XOA-79-1' } });
    expect(undone.status).toBe(200);
    expect(undone.body).toMatchObject({ kind: 'UNDO', status: 'DONE', outcome: 'COMPLETED', completedBy: 'dev-police-79-26743' });

    // Then the ID number, in the population database's inbox, showing the number to cancel.
    const idUndo = await openTask(t.populationDatabaseSystem, dossierNumber, '&kind=UNDO');
    expect(idUndo.step).toBe('PERSONAL_ID');
    expect((await getJson(`${stack.apiUrl}/v1/tasks/${idUndo.id}`, t.populationDatabaseSystem)).body.input.act.personalIdNumber).toBe(idResult.personalIdNumber);
    expect(stepOf(await stack.status(dossierNumber), 'PERMANENT_RESIDENCE')).toMatchObject({ status: 'COMPENSATED', compensation: { reference: 'QD-XOA-79-1' } });
    expect((await act(t.populationDatabaseSystem, idUndo.id, 'completion', { result: { reference: 'QD-HUY-SDD-1' } })).status).toBe(200);

    const body = await stack.untilEnded(dossierNumber);
    expect(body.status).toBe('WITHDRAWN');
    expect(body.steps.map((s: any) => [s.step, s.status, s.compensation?.reference ?? null])).toEqual([
      ['BIRTH_REGISTRATION', 'COMPENSATED', expect.any(String)],
      ['PERSONAL_ID', 'COMPENSATED', 'QD-HUY-SDD-1'],
      ['PERMANENT_RESIDENCE', 'COMPENSATED', 'QD-XOA-79-1'],
      ['CHILD_HEALTH_INSURANCE', 'CANCELLED', null],
    ]);
    // The agencies' systems never saw the acts done by hand, nor their undo; the civil-status office undid its own.
    const after = await agencyCalls();
    expect(after.population).toBe(before.population);
    expect(after.police).toBe(before.police);
    expect(after['civil-status']).toBeGreaterThan(before['civil-status']!);

    const audit = await stack.db.auditEntry.findMany({ where: { dossierNumber, action: 'task.complete' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.actorSubject, (a.detail as any).step, (a.detail as any).kind])).toEqual([
      ['dev-population-database', 'PERSONAL_ID', 'ACT'],
      ['dev-police-79-26743', 'PERMANENT_RESIDENCE', 'ACT'],
      ['dev-police-79-26743', 'PERMANENT_RESIDENCE', 'UNDO'],
      ['dev-population-database', 'PERSONAL_ID', 'UNDO'],
    ]);
  }, 90_000);

  it('an agency refusing to undo opens a compensation incident; on RETRY the same task asks again', async () => {
    const t = stack.tokens;
    const dossierNumber = await submit(birthIntake({ procedures: { permanentResidence: true, healthInsurance: false } }));
    const idTask = await openTask(t.populationDatabaseSystem, dossierNumber, '&step=PERSONAL_ID');
    expect((await act(t.populationDatabaseSystem, idTask.id, 'completion', { result: personalId() })).status).toBe(200);
    await openTask(t.policeOfficer, dossierNumber, '&step=PERMANENT_RESIDENCE');
    await withdraw(dossierNumber);

    const idUndo = await openTask(t.populationDatabaseSystem, dossierNumber, '&kind=UNDO');
    const refused = await act(t.populationDatabaseSystem, idUndo.id, 'refusal', { code: 'ALREADY_USED', reason: 'the number is on a passport already' });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ kind: 'UNDO', status: 'DONE', outcome: 'REFUSED' });
    const incident = await eventually(async () => (await stack.db.incident.findFirst({ where: { dossier: { dossierNumber }, step: 'PERSONAL_ID', kind: 'COMPENSATION', status: 'OPEN' } })) ?? undefined);
    expect(incident.lastError).toContain('ALREADY_USED');
    const parked = await stack.status(dossierNumber);
    expect(parked.status).not.toBe('WITHDRAWN');
    expect(stepOf(parked, 'PERSONAL_ID')).toMatchObject({ status: 'COMPLETED', compensation: null });
    const audit = await stack.db.auditEntry.findMany({ where: { dossierNumber, action: 'task.refuse' } });
    expect(audit.map((a) => [a.actorSubject, (a.detail as any).kind, (a.detail as any).code])).toEqual([['dev-population-database', 'UNDO', 'ALREADY_USED']]);

    // The supervisor settles it with the agency and retries: the same undo task is back in the inbox.
    const retry = await postJson(
      `${stack.apiUrl}/v1/dossiers/${dossierNumber}/incidents/PERSONAL_ID/decision`,
      { decision: 'RETRY', reason: 'agreed with the population database', incidentId: incident.id },
      t.provinceSupervisor,
    );
    expect(retry.status).toBeLessThan(300);
    const again = await openTask(t.populationDatabaseSystem, dossierNumber, '&kind=UNDO');
    expect(again.id).toBe(idUndo.id);
    expect((await act(t.populationDatabaseSystem, again.id, 'completion', { result: { reference: 'QD-HUY-SDD-2' } })).status).toBe(200);
    const body = await stack.untilEnded(dossierNumber);
    expect(body.status).toBe('WITHDRAWN');
    expect(stepOf(body, 'PERSONAL_ID')).toMatchObject({ status: 'COMPENSATED', compensation: { reference: 'QD-HUY-SDD-2' } });
  }, 90_000);
});
