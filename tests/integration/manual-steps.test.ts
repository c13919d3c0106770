import { childCardValidUntil, parseIsoDate } from '../../domain/age';
import { birthIntake, personalIdFor } from '../support/fixtures';
import { eventually, getJson, postJson, startStack, type Stack } from '../support/stack';

const today = () => new Date().toISOString().slice(0, 10);

const results = {
  BIRTH_REGISTRATION: () => ({ registrationNumber: '118/2026', book: '01/2026-KS', page: 118, registeredOn: today() }),
  PERSONAL_ID: () => ({ personalIdNumber: personalIdFor(birthIntake().child), issuedAt: new Date().toISOString() }),
  PERMANENT_RESIDENCE: () => ({ residenceRecordNumber: 'TT-79-0118', registeredOn: today() }),
  CHILD_HEALTH_INSURANCE: () => ({ cardNumber: 'TE1797926001118', socialInsuranceCode: '7926001118', validFrom: today(), validUntil: childCardValidUntil(parseIsoDate(birthIntake().child.dateOfBirth)) }),
};

describe('manual steps: every birth agency works its step from its inbox, through the API', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Every birth-group agency works by hand here: in the test commune, its province, or everywhere.
    stack = await startStack({ MANUAL_STEPS: 'CIVIL_STATUS@79/26743,POPULATION_DATABASE,COMMUNE_POLICE@79,SOCIAL_SECURITY@79' });
  });
  afterAll(async () => {
    await stack.stop();
  });

  const status = (dossierNumber: string) => stack.status(dossierNumber);
  const stepOf = (body: any, step: string) => body.steps.find((s: any) => s.step === step);
  const untilEnded = (dossierNumber: string) => stack.untilEnded(dossierNumber);
  /** Waits for the open task of a step to reach the officer's inbox. */
  const inboxTask = (token: string, dossierNumber: string, step: string, round = 0) =>
    eventually(async () => {
      const { status: code, body } = await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${encodeURIComponent(dossierNumber)}&step=${step}`, token);
      expect(code).toBe(200);
      return body.items.find((t: any) => t.round === round);
    });
  const act = (token: string, id: string, what: string, body: unknown = {}) => postJson(`${stack.apiUrl}/v1/tasks/${id}/${what}`, body, token);
  const submit = async (intake = birthIntake()) => {
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    return intake.dossierNumber;
  };

  it('runs a whole birth group on manual steps, each completed by its own agency', async () => {
    const dossierNumber = await submit();
    const t = stack.tokens;

    const registration = await inboxTask(t.civilStatusOfficer, dossierNumber, 'BIRTH_REGISTRATION');
    expect(registration).toMatchObject({ agency: 'CIVIL_STATUS', status: 'OPEN', claimedBy: null, overdue: false });
    expect(Date.parse(registration.dueAt)).toBeGreaterThan(Date.now());
    // The officer sees what to decide on: the request the agency's system would have received.
    const detail = await getJson(`${stack.apiUrl}/v1/tasks/${registration.id}`, t.civilStatusOfficer);
    expect(detail.status).toBe(200);
    expect(detail.body.input.child.fullName).toBe('Nguyễn Minh An');

    const claimed = await act(t.civilStatusOfficer, registration.id, 'claim');
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ status: 'CLAIMED', claimedBy: 'dev-civil-status-79-26743' });
    // The dossier status says who holds the manual step and since when.
    const held = stepOf(await status(dossierNumber), 'BIRTH_REGISTRATION');
    expect(held).toMatchObject({ mode: 'MANUAL', status: 'RUNNING', task: { status: 'CLAIMED', claimedBy: 'dev-civil-status-79-26743' } });
    expect(held.task.claimedAt).toBe(claimed.body.claimedAt);

    // A malformed result is refused field by field and changes nothing.
    const bad = await act(t.civilStatusOfficer, registration.id, 'completion', { result: { registrationNumber: '118/2026', page: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field)).toEqual(expect.arrayContaining(['body.result.book', 'body.result.page', 'body.result.registeredOn']));
    expect((await getJson(`${stack.apiUrl}/v1/tasks/${registration.id}`, t.civilStatusOfficer)).body.status).toBe('CLAIMED');

    const done = await act(t.civilStatusOfficer, registration.id, 'completion', { result: results.BIRTH_REGISTRATION() });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'DONE', outcome: 'COMPLETED', completedBy: 'dev-civil-status-79-26743' });

    // Completing twice: 409, nothing changes.
    const twice = await act(t.civilStatusOfficer, registration.id, 'completion', { result: { ...results.BIRTH_REGISTRATION(), page: 999 } });
    expect(twice.status).toBe(409);

    const personalId = await inboxTask(t.populationDatabaseSystem, dossierNumber, 'PERSONAL_ID');
    // The next agency's request is built from the officer's result.
    const idInput = (await getJson(`${stack.apiUrl}/v1/tasks/${personalId.id}`, t.populationDatabaseSystem)).body.input;
    expect(JSON.stringify(idInput)).toContain('118/2026');
    expect((await act(t.populationDatabaseSystem, personalId.id, 'completion', { result: results.PERSONAL_ID() })).status).toBe(200);

    const residence = await inboxTask(t.policeOfficer, dossierNumber, 'PERMANENT_RESIDENCE');
    const card = await inboxTask(t.socialSecurityOfficer, dossierNumber, 'CHILD_HEALTH_INSURANCE');
    // Another agency's task in a dossier it can read: 403, and nothing changes.
    expect((await act(t.policeOfficer, card.id, 'completion', { result: results.CHILD_HEALTH_INSURANCE() })).status).toBe(403);
    // An officer decides a task once it is theirs; the agency's system (above) answers without claiming.
    expect((await act(t.policeOfficer, residence.id, 'completion', { result: results.PERMANENT_RESIDENCE() })).status).toBe(409);
    expect((await act(t.policeOfficer, residence.id, 'claim')).status).toBe(200);
    expect((await act(t.policeOfficer, residence.id, 'completion', { result: results.PERMANENT_RESIDENCE() })).status).toBe(200);
    expect((await act(t.socialSecurityOfficer, card.id, 'claim')).status).toBe(200);
    // The card's validity is the law's for the child's birth date, no other.
    const wrongValidity = await act(t.socialSecurityOfficer, card.id, 'completion', { result: { ...results.CHILD_HEALTH_INSURANCE(), validUntil: '2032-01-01' } });
    expect([wrongValidity.status, wrongValidity.body.errors]).toEqual([400, [{ field: 'body.result.validUntil', reason: expect.stringContaining('is valid until') }]]);
    expect((await act(t.socialSecurityOfficer, card.id, 'completion', { result: results.CHILD_HEALTH_INSURANCE() })).status).toBe(200);

    const body = await untilEnded(dossierNumber);
    expect(body.status).toBe('COMPLETED');
    expect(body.steps.map((s: any) => [s.step, s.mode, s.status, s.task?.status, s.task?.completedBy])).toEqual([
      ['BIRTH_REGISTRATION', 'MANUAL', 'COMPLETED', 'DONE', 'dev-civil-status-79-26743'],
      ['PERSONAL_ID', 'MANUAL', 'COMPLETED', 'DONE', 'dev-population-database'],
      ['PERMANENT_RESIDENCE', 'MANUAL', 'COMPLETED', 'DONE', 'dev-police-79-26743'],
      ['CHILD_HEALTH_INSURANCE', 'MANUAL', 'COMPLETED', 'DONE', 'dev-social-security-79'],
    ]);
    expect(stepOf(body, 'BIRTH_REGISTRATION').result).toEqual(results.BIRTH_REGISTRATION());
    expect(stepOf(body, 'CHILD_HEALTH_INSURANCE').result.cardNumber).toBe('TE1797926001118');

    const audit = await stack.db.auditEntry.findMany({ where: { dossierNumber }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.action, a.actorSubject])).toEqual([
      ['dossier.submit', 'dev-clerk-79-26743'],
      ['task.claim', 'dev-civil-status-79-26743'],
      ['task.complete', 'dev-civil-status-79-26743'],
      ['task.complete', 'dev-population-database'],
      ['task.claim', 'dev-police-79-26743'],
      ['task.complete', 'dev-police-79-26743'],
      ['task.claim', 'dev-social-security-79'],
      ['task.complete', 'dev-social-security-79'],
    ]);
  });

  it('a refusal is a business decision: later steps are blocked, and the refused task cannot be completed', async () => {
    const dossierNumber = await submit(birthIntake({ procedures: { permanentResidence: false, healthInsurance: false } }));
    const task = await inboxTask(stack.tokens.civilStatusOfficer, dossierNumber, 'BIRTH_REGISTRATION');
    // Claimed by one officer: nobody else decides it (here the agency's system).
    const bad = await act(stack.tokens.civilStatusOfficer, task.id, 'refusal', { code: 'bad code', reason: 'x' });
    expect(bad.status).toBe(400);
    expect((await act(stack.tokens.civilStatusOfficer, task.id, 'claim')).status).toBe(200);
    const refused = await act(stack.tokens.civilStatusOfficer, task.id, 'refusal', { code: 'PARENTS_NOT_IDENTIFIED', reason: 'the father’s papers do not match' });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ status: 'DONE', outcome: 'REFUSED' });
    const body = await untilEnded(dossierNumber);
    expect(body.status).toBe('REFUSED');
    expect(stepOf(body, 'BIRTH_REGISTRATION')).toMatchObject({ status: 'REFUSED', refusal: { code: 'PARENTS_NOT_IDENTIFIED', reason: 'the father’s papers do not match' } });
    expect(stepOf(body, 'PERSONAL_ID').status).toBe('BLOCKED');
    const late = await act(stack.tokens.civilStatusOfficer, task.id, 'completion', { result: results.BIRTH_REGISTRATION() });
    expect(late.status).toBe(409);
    expect(stepOf(await status(dossierNumber), 'BIRTH_REGISTRATION').result).toBeNull();
  });

  it('a supplement request parks the step; the clerk brings it and a new task opens; a withdrawal cancels the open task', async () => {
    const dossierNumber = await submit(birthIntake({ procedures: { permanentResidence: false, healthInsurance: false } }));
    const t = stack.tokens;
    const first = await inboxTask(t.civilStatusOfficer, dossierNumber, 'BIRTH_REGISTRATION');
    expect((await act(t.civilStatusOfficer, first.id, 'claim')).status).toBe(200);
    // Another officer of the same agency would be blocked by the claim; the holder gives it back.
    expect((await act(t.civilStatusOfficer, first.id, 'unclaim')).status).toBe(200);
    expect((await act(t.civilStatusOfficer, first.id, 'unclaim')).status).toBe(409);
    // Back in the inbox, it is nobody's to decide until claimed again.
    expect((await act(t.civilStatusOfficer, first.id, 'supplement-request', { reason: 'certified copy of the birth certificate' })).status).toBe(409);
    expect((await act(t.civilStatusOfficer, first.id, 'claim')).status).toBe(200);
    const asked = await act(t.civilStatusOfficer, first.id, 'supplement-request', { reason: 'certified copy of the birth certificate' });
    expect(asked.status).toBe(200);
    await eventually(async () => (stepOf(await status(dossierNumber), 'BIRTH_REGISTRATION').status === 'WAITING_FOR_SUPPLEMENT' ? true : undefined));
    const supplied = await postJson(`${stack.apiUrl}/v1/dossiers/${dossierNumber}/supplements`, { step: 'BIRTH_REGISTRATION', documents: ['BIRTH_CERTIFICATE'] }, t.clerk);
    expect(supplied.status).toBe(202);
    const second = await inboxTask(t.civilStatusOfficer, dossierNumber, 'BIRTH_REGISTRATION', 1);
    expect(second.id).not.toBe(first.id);
    expect((await act(t.civilStatusOfficer, second.id, 'claim')).status).toBe(200);
    expect((await act(t.civilStatusOfficer, second.id, 'completion', { result: results.BIRTH_REGISTRATION() })).status).toBe(200);

    const idTask = await inboxTask(t.populationDatabaseSystem, dossierNumber, 'PERSONAL_ID');
    const withdrawal = await postJson(`${stack.apiUrl}/v1/dossiers/${dossierNumber}/withdrawal`, { reason: 'the family moves abroad' }, t.clerk);
    expect(withdrawal.status).toBe(202);
    // The withdrawn group does not wait for the officer of the open task; the registration done by hand
    // is undone by hand (tests/integration/manual-undo.test.ts).
    const undo = await eventually(async () => {
      const { body: inbox } = await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${encodeURIComponent(dossierNumber)}&kind=UNDO`, t.civilStatusOfficer);
      return inbox.items[0];
    });
    expect((await act(t.civilStatusOfficer, undo.id, 'claim')).status).toBe(200);
    expect((await act(t.civilStatusOfficer, undo.id, 'completion', { result: { reference: 'QD-HUY-118' } })).status).toBe(200);
    const body = await untilEnded(dossierNumber);
    expect(body.status).toBe('WITHDRAWN');
    expect(stepOf(body, 'PERSONAL_ID')).toMatchObject({ status: 'CANCELLED', task: { status: 'CANCELLED' } });
    const late = await act(t.populationDatabaseSystem, idTask.id, 'completion', { result: results.PERSONAL_ID() });
    expect(late.status).toBe(409);
    expect(stepOf(await status(dossierNumber), 'PERSONAL_ID').result).toBeNull();
    const open = await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${encodeURIComponent(dossierNumber)}`, t.populationDatabaseSystem);
    expect(open.body.items).toEqual([]);
  });

  it('open tasks survive a worker restart: a decision taken while no worker runs resumes the group on the new worker', async () => {
    const dossierNumber = await submit(birthIntake({ procedures: { permanentResidence: false, healthInsurance: false } }));
    const registration = await inboxTask(stack.tokens.civilStatusOfficer, dossierNumber, 'BIRTH_REGISTRATION');
    expect((await act(stack.tokens.civilStatusOfficer, registration.id, 'claim')).status).toBe(200);
    await stack.stopWorker();
    try {
      // No worker to record it: the decision is kept and the officer told it is on its way (202).
      const done = await act(stack.tokens.civilStatusOfficer, registration.id, 'completion', { result: results.BIRTH_REGISTRATION() });
      expect(done.status).toBe(202);
      expect(done.body).toMatchObject({ status: 'CLAIMED', decisionPending: true });
      // A second click meanwhile is refused at once, not queued behind the first.
      const again = await act(stack.tokens.civilStatusOfficer, registration.id, 'refusal', { code: 'INCOMPLETE_DOSSIER', reason: 'changed my mind' });
      expect(again.status).toBe(409);
      // Nothing was written beside the workflow: the step waits, no result, no next task.
      expect(stepOf(await status(dossierNumber), 'BIRTH_REGISTRATION')).toMatchObject({ status: 'RUNNING', result: null });
      expect(await stack.db.agencyTask.count({ where: { dossier: { dossierNumber }, step: 'PERSONAL_ID' } })).toBe(0);
    } finally {
      await stack.startWorker();
    }
    // Delivered (by the request's own update, which Temporal kept, or by the relay) and recorded once.
    const personalId = await inboxTask(stack.tokens.populationDatabaseSystem, dossierNumber, 'PERSONAL_ID');
    const recorded = await getJson(`${stack.apiUrl}/v1/tasks/${registration.id}`, stack.tokens.civilStatusOfficer);
    expect(recorded.body).toMatchObject({ status: 'DONE', outcome: 'COMPLETED', decisionPending: false });
    expect(stepOf(await status(dossierNumber), 'BIRTH_REGISTRATION')).toMatchObject({ status: 'COMPLETED', result: { registrationNumber: '118/2026' } });
    // And a task opened before a restart is completed after it.
    await stack.stopWorker();
    await stack.startWorker();
    const issued = results.PERSONAL_ID();
    expect((await act(stack.tokens.populationDatabaseSystem, personalId.id, 'completion', { result: issued })).status).toBe(200);
    const body = await untilEnded(dossierNumber);
    expect(body.status).toBe('COMPLETED');
    expect(stepOf(body, 'PERSONAL_ID').result.personalIdNumber).toBe(issued.personalIdNumber);
  }, 90_000);
});
