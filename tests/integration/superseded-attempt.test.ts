import { MockActivityEnvironment } from '@temporalio/testing';
import { Registry } from 'prom-client';
import { createActivities } from '../../activities';
import type { AgencyGateway } from '../../activities/agency-gateway';
import { createWorkingCalendar } from '../../domain/working-days';
import { createLogger } from '../../runtime/logger';
import { createWorkerMetrics } from '../../runtime/metrics';
import { birthIntake } from '../support/fixtures';
import { postJson, startStack, type Stack } from '../support/stack';

/**
 * An agency call that paused past its heartbeat timeout is retried as a new attempt; when the paused
 * one wakes after the step moved on (completed by the later attempt, then undone), it must neither
 * act again nor write its answer over what followed.
 */
describe('a superseded attempt changes nothing', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  /** A birth group run to its end on the simulator, and its ID-number step as the late attempt finds it. */
  async function completedIdStep() {
    const intake = birthIntake({ procedures: { permanentResidence: false, healthInsurance: false } });
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    expect((await stack.untilEnded(intake.dossierNumber)).status).toBe('COMPLETED');
    const dossier = await stack.db.dossier.findUniqueOrThrow({ where: { dossierNumber: intake.dossierNumber }, include: { steps: true } });
    return { dossier, step: dossier.steps.find((s) => s.step === 'PERSONAL_ID')! };
  }

  /** The activities as a worker builds them, with an agency whose answer waits for the test. */
  function paused() {
    let release: (result: object) => void = () => undefined;
    let called: () => void = () => undefined;
    const calledOnce = new Promise<void>((resolve) => (called = resolve));
    const answer = new Promise<object>((resolve) => (release = resolve));
    let calls = 0;
    const agencies: AgencyGateway = {
      perform: async <T>() => {
        calls += 1;
        called();
        return (await answer) as T;
      },
      undo: async () => ({ undone: true }),
    };
    const activities = createActivities({
      db: stack.db,
      agencies,
      calendar: createWorkingCalendar(),
      logger: createLogger({ level: 'silent' }),
      metrics: createWorkerMetrics(new Registry()),
    });
    return { activities, release, calledOnce, calls: () => calls };
  }

  it('an answer arriving after the step was completed by a later attempt and compensated is not recorded', async () => {
    const { dossier, step } = await completedIdStep();
    // The paused attempt started while the step was running (as it was then).
    await stack.db.dossierStep.update({ where: { id: step.id }, data: { status: 'RUNNING' } });
    const late = paused();
    const attempt = new MockActivityEnvironment({ attempt: 1 }).run(late.activities.performStep, { dossierId: dossier.id, step: 'PERSONAL_ID' as const });
    await late.calledOnce;
    // Meanwhile a later attempt completed it, and the group was withdrawn: the act was undone.
    await stack.db.dossierStep.update({ where: { id: step.id }, data: { status: 'COMPENSATED', compensatedAt: new Date() } });
    late.release({ personalIdNumber: '079226000999', issuedAt: new Date().toISOString() });
    await attempt;
    const after = await stack.db.dossierStep.findUniqueOrThrow({ where: { id: step.id } });
    expect(after.status).toBe('COMPENSATED');
    expect(after.result).toEqual(step.result);
    expect(await stack.db.dossierEvent.count({ where: { dossierId: dossier.id, step: 'PERSONAL_ID', type: 'STEP_COMPLETED' } })).toBe(1);
  });

  it('an attempt that wakes after the step was undone does not call the agency again', async () => {
    const { dossier, step } = await completedIdStep();
    await stack.db.dossierStep.update({ where: { id: step.id }, data: { status: 'COMPENSATED', compensatedAt: new Date() } });
    const late = paused();
    await expect(new MockActivityEnvironment({ attempt: 3 }).run(late.activities.performStep, { dossierId: dossier.id, step: 'PERSONAL_ID' as const })).rejects.toThrow(/superseded/);
    expect(late.calls()).toBe(0);
    expect((await stack.db.dossierStep.findUniqueOrThrow({ where: { id: step.id } })).status).toBe('COMPENSATED');
  });

  it("an attempt retried after its supplement request was recorded reports the request again, without asking the agency", async () => {
    const { dossier, step } = await completedIdStep();
    await stack.db.dossierStep.update({ where: { id: step.id }, data: { status: 'WAITING_FOR_SUPPLEMENT', supplementReason: 'household book' } });
    const retried = paused();
    await expect(new MockActivityEnvironment({ attempt: 2 }).run(retried.activities.performStep, { dossierId: dossier.id, step: 'PERSONAL_ID' as const })).resolves.toEqual({
      status: 'SUPPLEMENT_REQUESTED',
      reason: 'household book',
    });
    expect(retried.calls()).toBe(0);
  });
});
