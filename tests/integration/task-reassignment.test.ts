import { birthIntake } from '../support/fixtures';
import { eventually, getJson, postJson, startStack, type Stack } from '../support/stack';

describe('a supervisor reassigns a manual task held by an absent officer', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ MANUAL_STEPS: 'CIVIL_STATUS@79/26743' });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('moves the task to another officer or back to the inbox; others may not; every move is audited', async () => {
    const intake = birthIntake({ procedures: { permanentResidence: false, healthInsurance: false } });
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    const task = await eventually(async () => (await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${intake.dossierNumber}`, stack.tokens.civilStatusOfficer)).body.items[0]);
    expect((await postJson(`${stack.apiUrl}/v1/tasks/${task.id}/claim`, {}, stack.tokens.civilStatusOfficer)).status).toBe(200);

    const move = (token: string, body: unknown) => postJson(`${stack.apiUrl}/v1/tasks/${task.id}/reassignment`, body, token);
    // Officers and clerks may not reassign; a supervisor of another scope does not even see the task.
    expect((await move(stack.tokens.civilStatusOfficer, { toSubject: 'officer-2', reason: 'mine now' })).status).toBe(403);
    expect((await move(stack.tokens.clerk, { toSubject: 'officer-2', reason: 'mine now' })).status).toBe(403);
    expect((await move(stack.tokens.provinceSupervisor, { toSubject: 'bad id!', reason: 'x' })).status).toBe(400);

    const moved = await move(stack.tokens.provinceSupervisor, { toSubject: 'dev-civil-status-79-26743-b', reason: 'officer on leave' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ status: 'CLAIMED', claimedBy: 'dev-civil-status-79-26743-b' });
    // The former holder can no longer complete it.
    const today = new Date().toISOString().slice(0, 10);
    const result = { registrationNumber: '9/2026', book: '01/2026-KS', page: 9, registeredOn: today };
    expect((await postJson(`${stack.apiUrl}/v1/tasks/${task.id}/completion`, { result }, stack.tokens.civilStatusOfficer)).status).toBe(409);

    const back = await move(stack.tokens.nationalSupervisor, { toSubject: null, reason: 'back to the commune inbox' });
    expect(back.body).toMatchObject({ status: 'OPEN', claimedBy: null });
    expect((await postJson(`${stack.apiUrl}/v1/tasks/${task.id}/claim`, {}, stack.tokens.civilStatusOfficer)).status).toBe(200);
    expect((await postJson(`${stack.apiUrl}/v1/tasks/${task.id}/completion`, { result }, stack.tokens.civilStatusOfficer)).status).toBe(200);
    // The completion resumed the workflow: the step stands as the reassigned officer's act.
    const step = await eventually(async () => {
      const { body } = await getJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}`, stack.tokens.clerk);
      const registration = body.steps.find((s: any) => s.step === 'BIRTH_REGISTRATION');
      return registration.status === 'COMPLETED' ? registration : undefined;
    });
    expect(step.result.registrationNumber).toBe('9/2026');

    const audit = await stack.db.auditEntry.findMany({ where: { dossierNumber: intake.dossierNumber, action: 'task.reassign' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.actorSubject, a.afterStatus])).toEqual([
      ['dev-supervisor-79', 'CLAIMED'],
      ['dev-supervisor-national', 'OPEN'],
    ]);
  });
});
