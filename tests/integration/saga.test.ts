import { allowanceFor } from '../../domain/funeral-allowance';
import { birthIntake, deathIntake } from '../support/fixtures';
import { eventually, getJson, postJson, setAgencyFaults, startStack, type Stack } from '../support/stack';


describe('death group, supplements, withdrawal and compensation on the real stack', () => {
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

  const status = (dossierNumber: string) => stack.status(dossierNumber);
  const untilEnded = (dossierNumber: string) => stack.untilEnded(dossierNumber);
  const stepOf = (body: any, step: string) => body.steps.find((s: any) => s.step === step);
  const issued = async () => (await getJson(`${stack.simulatorUrl}/_control/agencies`)).body.issued;

  it('runs a death group; the funeral allowance goes to the highest-paying body at the configured rate', async () => {
    const intake = deathIntake();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    const body = await untilEnded(intake.dossierNumber);
    expect(body.status).toBe('COMPLETED');
    const funeral = stepOf(body, 'FUNERAL_ALLOWANCE');
    // Insured: 10 × base salary; social protection: 20 × assistance level. The higher one is paid.
    const insured = allowanceFor('INSURED_OR_PENSIONER', intake.deceased.dateOfDeath).amount;
    const protection = allowanceFor('SOCIAL_PROTECTION_BENEFICIARY', intake.deceased.dateOfDeath).amount;
    expect(insured).toBe(23_400_000);
    expect(protection).toBe(10_000_000);
    expect(funeral.agency).toBe('SOCIAL_SECURITY');
    expect(funeral.result.amount).toBe(23_400_000);
    expect(stepOf(body, 'RESIDENCE_REMOVAL').result.removalRecordNumber).toMatch(/^XTT-/);
  });

  it('withdrawal while a step waits for a supplement undoes the completed acts in reverse order', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { supplementRate: 1 });
    const before = await issued();
    const intake = birthIntake();
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    await eventually(async () => {
      const body = await status(intake.dossierNumber);
      return stepOf(body, 'PERMANENT_RESIDENCE').status === 'WAITING_FOR_SUPPLEMENT' && stepOf(body, 'CHILD_HEALTH_INSURANCE').status === 'COMPLETED' ? body : undefined;
    });
    const withdrawal = await postJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}/withdrawal`, { reason: 'the family moves abroad' }, stack.tokens.clerk);
    expect(withdrawal.status).toBe(202);
    const body = await untilEnded(intake.dossierNumber);
    expect(body.status).toBe('WITHDRAWN');
    expect(body.stopReason).toBe('the family moves abroad');
    expect(body.steps.map((s: any) => [s.step, s.status])).toEqual([
      ['BIRTH_REGISTRATION', 'COMPENSATED'],
      ['PERSONAL_ID', 'COMPENSATED'],
      ['PERMANENT_RESIDENCE', 'CANCELLED'],
      ['CHILD_HEALTH_INSURANCE', 'COMPENSATED'],
    ]);
    // Reverse order: the card before the ID number before the birth registration.
    const at = (step: string) => Date.parse(stepOf(body, step).compensation.compensatedAt);
    expect(at('CHILD_HEALTH_INSURANCE')).toBeLessThanOrEqual(at('PERSONAL_ID'));
    expect(at('PERSONAL_ID')).toBeLessThanOrEqual(at('BIRTH_REGISTRATION'));
    const after = await issued();
    expect(after.cancelledPersonalIds - before.cancelledPersonalIds).toBe(1);
    // A second withdrawal is refused and changes nothing.
    const again = await postJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}/withdrawal`, { reason: 'twice' }, stack.tokens.clerk);
    expect(again.status).toBe(409);
  });

  it('a supplement brought by the clerk resumes the waiting step with a new request', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'civil-status', { supplementRate: 1 });
    const intake = birthIntake({ procedures: { permanentResidence: false, healthInsurance: false } });
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    const waiting = await eventually(async () => {
      const body = await status(intake.dossierNumber);
      return stepOf(body, 'BIRTH_REGISTRATION').status === 'WAITING_FOR_SUPPLEMENT' && stepOf(body, 'BIRTH_REGISTRATION').supplement?.dueAt ? body : undefined;
    });
    expect(Date.parse(stepOf(waiting, 'BIRTH_REGISTRATION').supplement.dueAt)).toBeGreaterThan(Date.now() + 5 * 24 * 3600 * 1000);
    // Supplementing a step that is not waiting is refused.
    const wrong = await postJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}/supplements`, { step: 'PERSONAL_ID', documents: ['PARENT_IDENTITY'] }, stack.tokens.clerk);
    expect(wrong.status).toBe(409);
    await setAgencyFaults(stack.simulatorUrl, 'civil-status', { supplementRate: 0 });
    const supplied = await postJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}/supplements`, { step: 'BIRTH_REGISTRATION', documents: ['BIRTH_CERTIFICATE'] }, stack.tokens.clerk);
    expect(supplied.status).toBe(202);
    const body = await untilEnded(intake.dossierNumber);
    expect(body.status).toBe('COMPLETED');
    expect(stepOf(body, 'BIRTH_REGISTRATION').supplement.documents).toBe(1);
  });

  it('a failing cancellation service becomes an incident; a supervisor retry after recovery finishes the undo', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'population', { undoOutage: true });
    const intake = birthIntake({ procedures: { permanentResidence: false, healthInsurance: false } });
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    await eventually(async () => ((await status(intake.dossierNumber)).status === 'COMPLETED' ? true : undefined));
    // The group has ended: only a cancelled registration could undo it, and the workflow is gone.
    const late = await postJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}/withdrawal`, { reason: 'too late' }, stack.tokens.clerk);
    expect(late.status).toBe(409);

    const running = birthIntake({ procedures: { permanentResidence: true, healthInsurance: false } });
    await setAgencyFaults(stack.simulatorUrl, 'police', { supplementRate: 1 });
    await postJson(`${stack.apiUrl}/v1/dossiers`, running, stack.tokens.clerk);
    await eventually(async () => (stepOf(await status(running.dossierNumber), 'PERMANENT_RESIDENCE').status === 'WAITING_FOR_SUPPLEMENT' ? true : undefined));
    const cancel = await postJson(`${stack.apiUrl}/v1/dossiers/${running.dossierNumber}/registration-cancellation`, { reason: 'duplicate birth registration' }, stack.tokens.provinceSupervisor);
    expect(cancel.status).toBe(202);
    const incident = await eventually(async () => {
      const row = await stack.db.incident.findFirst({ where: { dossier: { dossierNumber: running.dossierNumber }, status: 'OPEN' } });
      return row ?? undefined;
    });
    expect(incident).toMatchObject({ step: 'PERSONAL_ID', kind: 'COMPENSATION', agency: 'POPULATION_DATABASE' });
    await setAgencyFaults(stack.simulatorUrl, 'population', { undoOutage: false });
    const decision = await postJson(`${stack.apiUrl}/v1/dossiers/${running.dossierNumber}/incidents/PERSONAL_ID/decision`, { decision: 'RETRY', reason: 'population database back' }, stack.tokens.provinceSupervisor);
    expect(decision.status).toBe(202);
    const body = await untilEnded(running.dossierNumber);
    expect(body.status).toBe('CANCELLED');
    expect(stepOf(body, 'PERSONAL_ID').status).toBe('COMPENSATED');
    expect(stepOf(body, 'BIRTH_REGISTRATION').status).toBe('COMPENSATED');
    const audit = await stack.db.auditEntry.findMany({ where: { dossierNumber: running.dossierNumber }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.action, a.actorSubject])).toEqual([
      ['dossier.submit', 'dev-clerk-79-26743'],
      ['dossier.cancelRegistration', 'dev-supervisor-79'],
      ['incident.retry', 'dev-supervisor-79'],
    ]);
  }, 90_000);
});
