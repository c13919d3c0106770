import { personalIdPattern, childCardNumberPattern } from '../../domain/identifiers';
import { birthIntake } from '../support/fixtures';
import { eventually, getJson, postJson, setAgencyFaults, startStack, type Stack } from '../support/stack';


describe('birth group on the real stack (HTTP API, Temporal dev server, PostgreSQL, agency simulator)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });
  afterEach(async () => {
    await fetch(`${stack.simulatorUrl}/_control/reset-faults`, { method: 'POST' });
  });

  const untilFinished = (dossierNumber: string) => stack.untilEnded(dossierNumber);

  it('runs a birth group from intake to completed, and a resubmission returns the same workflow', async () => {
    const intake = birthIntake();
    const first = await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    expect(first.status).toBe(201);
    expect(first.body.workflowId).toBe(`dossier-${intake.dossierNumber}`);
    expect(first.headers.get('location')).toBe(first.body.statusUrl);

    const again = await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    expect(again.status).toBe(200);
    // The same receipt, but its code only once: the first stands, and is not shown again.
    expect(again.body).toEqual({ ...first.body, receiptCode: null });

    const status = await untilFinished(intake.dossierNumber);
    expect(status.status).toBe('COMPLETED');
    expect(status.steps.map((s: any) => [s.step, s.status])).toEqual([
      ['BIRTH_REGISTRATION', 'COMPLETED'],
      ['PERSONAL_ID', 'COMPLETED'],
      ['PERMANENT_RESIDENCE', 'COMPLETED'],
      ['CHILD_HEALTH_INSURANCE', 'COMPLETED'],
    ]);
    const id = status.steps[1].result.personalIdNumber as string;
    expect(id).toMatch(personalIdPattern);
    // Province 079, born in the 21st century and female → 3, birth year's last two digits.
    expect(id.slice(0, 6)).toBe(`0793${intake.child.dateOfBirth.slice(2, 4)}`);
    expect(status.steps[3].result.cardNumber).toMatch(childCardNumberPattern);
    expect(status.steps[3].result.cardNumber.slice(0, 5)).toBe('TE179');
    // Residence and health insurance ran in parallel after the ID number.
    const idDone = Date.parse(status.steps[1].finishedAt);
    expect(Date.parse(status.steps[2].startedAt)).toBeGreaterThanOrEqual(idDone);
    expect(Date.parse(status.steps[3].startedAt)).toBeGreaterThanOrEqual(idDone);

    // Exactly one workflow in Temporal for this dossier, listed by its search attributes.
    const listed = await eventually(async () => {
      const found = [];
      for await (const wf of stack.temporal.workflow.list({ query: `DossierNumber = '${intake.dossierNumber}' AND DossierStatus = 'COMPLETED'` })) found.push(wf);
      return found.length > 0 ? found : undefined;
    });
    expect(listed).toHaveLength(1);
    expect(listed[0]?.workflowId).toBe(first.body.workflowId);
  });

  it('a different intake under a used dossier number is a conflict and changes nothing', async () => {
    const intake = birthIntake();
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    const conflicting = await postJson(`${stack.apiUrl}/v1/dossiers`, { ...intake, child: { ...intake.child, fullName: 'Nguyễn Minh Bình' } }, stack.tokens.clerk);
    expect(conflicting.status).toBe(409);
    expect(conflicting.body.errors).toEqual([{ field: 'dossierNumber', reason: 'already used by another intake' }]);
    const stored = await stack.db.dossier.findUniqueOrThrow({ where: { dossierNumber: intake.dossierNumber } });
    expect((stored.intake as any).child.fullName).toBe(intake.child.fullName);
  });

  it('runs only the chosen procedures', async () => {
    const intake = birthIntake({ procedures: { permanentResidence: false, healthInsurance: true } });
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    const status = await untilFinished(intake.dossierNumber);
    expect(status.status).toBe('COMPLETED');
    expect(status.steps.map((s: any) => s.step)).toEqual(['BIRTH_REGISTRATION', 'PERSONAL_ID', 'CHILD_HEALTH_INSURANCE']);
  });

  it('never issues a second ID number when the answer is lost and the call retried', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'population', { lostAnswerRate: 1 });
    const before = (await getJson(`${stack.simulatorUrl}/_control/agencies`)).body.issued.personalIds as number;
    const intake = birthIntake({ procedures: { permanentResidence: false, healthInsurance: false } });
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    await eventually(async () => {
      const step = await stack.db.dossierStep.findFirst({ where: { dossier: { dossierNumber: intake.dossierNumber }, step: 'PERSONAL_ID' } });
      return step && step.attempts >= 2 ? step : undefined;
    });
    await setAgencyFaults(stack.simulatorUrl, 'population', { lostAnswerRate: 0 });
    const status = await untilFinished(intake.dossierNumber);
    expect(status.status).toBe('COMPLETED');
    expect(status.steps[1].attempts).toBeGreaterThanOrEqual(2);
    const after = (await getJson(`${stack.simulatorUrl}/_control/agencies`)).body.issued.personalIds as number;
    expect(after - before).toBe(1);
  });

  it('a refused residence registration leaves the birth registration and ID number standing', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { refusalRate: 1, refusalCode: 'NOT_RESIDENT' });
    const intake = birthIntake();
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    const status = await untilFinished(intake.dossierNumber);
    expect(status.status).toBe('PARTIALLY_COMPLETED');
    const byStep = Object.fromEntries(status.steps.map((s: any) => [s.step, s]));
    expect(byStep.BIRTH_REGISTRATION.status).toBe('COMPLETED');
    expect(byStep.PERSONAL_ID.status).toBe('COMPLETED');
    expect(byStep.CHILD_HEALTH_INSURANCE.status).toBe('COMPLETED');
    expect(byStep.PERMANENT_RESIDENCE.status).toBe('REFUSED');
    expect(byStep.PERMANENT_RESIDENCE.refusal).toEqual({ code: 'NOT_RESIDENT', reason: 'police refused the request' });
  });

  it('rides out an agency outage by retrying, then completes', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'civil-status', { outage: true });
    const intake = birthIntake({ procedures: { permanentResidence: false, healthInsurance: false } });
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    const failing = await eventually(async () => {
      const step = await stack.db.dossierStep.findFirst({ where: { dossier: { dossierNumber: intake.dossierNumber }, step: 'BIRTH_REGISTRATION' } });
      return step?.lastError ? step : undefined;
    });
    expect(failing.lastError).toContain('HTTP 503');
    await setAgencyFaults(stack.simulatorUrl, 'civil-status', { outage: false });
    const status = await untilFinished(intake.dossierNumber);
    expect(status.status).toBe('COMPLETED');
    expect(status.steps[0].lastError).toBeNull();
  });
});
