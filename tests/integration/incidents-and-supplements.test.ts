import { Registry } from 'prom-client';
import { createBookkeepingActivities } from '../../activities/bookkeeping';
import { createWorkingCalendar } from '../../domain/working-days';
import { createLogger } from '../../runtime/logger';
import { createWorkerMetrics } from '../../runtime/metrics';
import { birthIntake } from '../support/fixtures';
import { eventually, getJson, postJson, setAgencyFaults, startStack, type Stack } from '../support/stack';

/** Incidents and supplements are exact: bound to what they answer, counted once, closed when moot. */
describe('incidents and supplements on the real stack', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ STEP_MAX_ATTEMPTS: '2' });
  });
  afterAll(async () => {
    await stack.stop();
  });
  afterEach(async () => {
    await fetch(`${stack.simulatorUrl}/_control/reset-faults`, { method: 'POST' });
  });

  const stepOf = (body: any, step: string) => body.steps.find((s: any) => s.step === step);
  const untilStep = (dossierNumber: string, step: string, status: string) =>
    eventually(async () => {
      const body = await stack.status(dossierNumber);
      return stepOf(body, step)?.status === status ? body : undefined;
    });
  const dossierId = async (dossierNumber: string) => (await stack.db.dossier.findUniqueOrThrow({ where: { dossierNumber } })).id;

  it('a withdrawn group supersedes its open incident: no longer open, no longer picked by bulk decisions', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: true });
    const intake = birthIntake();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    await untilStep(intake.dossierNumber, 'PERMANENT_RESIDENCE', 'INCIDENT');
    const id = await dossierId(intake.dossierNumber);
    expect(await stack.db.incident.count({ where: { dossierId: id, status: 'OPEN' } })).toBe(1);

    const withdrawal = await postJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}/withdrawal`, { reason: 'the family withdraws' }, stack.tokens.clerk);
    expect(withdrawal.status).toBe(202);
    // The residence entry is undone too (an outage may have hidden an act): the police must be back.
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: false });
    expect((await stack.untilEnded(intake.dossierNumber)).status).toBe('WITHDRAWN');
    const incidents = await stack.db.incident.findMany({ where: { dossierId: id } });
    expect(incidents.map((i) => [i.step, i.kind, i.status])).toEqual([['PERMANENT_RESIDENCE', 'STEP', 'SUPERSEDED']]);

    const bulk = await postJson(
      `${stack.apiUrl}/v1/supervision/incidents/decisions`,
      { filter: { step: 'PERMANENT_RESIDENCE', provinceCode: '79' }, decision: 'RETRY', reason: 'police back online' },
      stack.tokens.provinceSupervisor,
    );
    expect(bulk.status).toBe(200);
    expect(bulk.body.incidentIds).not.toContain(incidents[0]!.id);
  });

  it('a decision names its incident: one for an incident that is no longer open is a 409 and changes nothing', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: true });
    const intake = birthIntake();
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    await untilStep(intake.dossierNumber, 'PERMANENT_RESIDENCE', 'INCIDENT');
    const id = await dossierId(intake.dossierNumber);
    const first = await stack.db.incident.findFirstOrThrow({ where: { dossierId: id, status: 'OPEN' } });
    const decide = (incidentId: string) =>
      postJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}/incidents/PERMANENT_RESIDENCE/decision`, { decision: 'RETRY', reason: 'try again', incidentId }, stack.tokens.provinceSupervisor);

    // Still down: the retry fails and a second incident opens.
    expect((await decide(first.id)).status).toBe(202);
    const second = await eventually(() => stack.db.incident.findFirst({ where: { dossierId: id, status: 'OPEN', NOT: { id: first.id } } }).then((i) => i ?? undefined));
    await untilStep(intake.dossierNumber, 'PERMANENT_RESIDENCE', 'INCIDENT');
    const stale = await decide(first.id);
    expect(stale.status).toBe(409);
    expect(await stack.db.incident.findUniqueOrThrow({ where: { id: second.id } })).toMatchObject({ status: 'OPEN' });

    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: false });
    expect((await decide(second.id)).status).toBe(202);
    expect((await stack.untilEnded(intake.dossierNumber)).status).toBe('COMPLETED');
    const timeline = await getJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}/timeline`, stack.tokens.provinceSupervisor);
    expect(timeline.body.incidents.map((i: any) => [i.id, i.status, i.decision])).toEqual([
      [first.id, 'RESOLVED', 'RETRY'],
      [second.id, 'RESOLVED', 'RETRY'],
    ]);
  });

  it("the agency's step deadline restarts after the citizen's supplement, and each round is counted once", async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { supplementRate: 1 });
    const intake = birthIntake();
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    await untilStep(intake.dossierNumber, 'PERMANENT_RESIDENCE', 'WAITING_FOR_SUPPLEMENT');
    const id = await dossierId(intake.dossierNumber);
    // The citizen took their time: the step started (and its agency deadline was set) long ago.
    const longAgo = new Date(Date.now() - 30 * 24 * 3600 * 1000);
    await stack.db.dossierStep.update({ where: { dossierId_step: { dossierId: id, step: 'PERMANENT_RESIDENCE' } }, data: { startedAt: longAgo, dueAt: longAgo } });

    await setAgencyFaults(stack.simulatorUrl, 'police', { supplementRate: 0 });
    const supplement = await postJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}/supplements`, { step: 'PERMANENT_RESIDENCE', documents: ['HOUSEHOLD_CONSENT'] }, stack.tokens.clerk);
    expect(supplement.status).toBe(202);
    expect((await stack.untilEnded(intake.dossierNumber)).status).toBe('COMPLETED');
    const step = await stack.db.dossierStep.findUniqueOrThrow({ where: { dossierId_step: { dossierId: id, step: 'PERMANENT_RESIDENCE' } } });
    expect(step.round).toBe(1);
    expect(step.dueAt!.getTime()).toBeGreaterThan(Date.now());
    expect(step.supplementDocuments).toEqual(['HOUSEHOLD_CONSENT']);
    expect(await stack.db.dossierEvent.count({ where: { dossierId: id, type: 'SUPPLEMENT_RECEIVED' } })).toBe(1);
  });

  it('a retried supplement write records its round once', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { supplementRate: 1 });
    const intake = birthIntake();
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    await untilStep(intake.dossierNumber, 'PERMANENT_RESIDENCE', 'WAITING_FOR_SUPPLEMENT');
    const id = await dossierId(intake.dossierNumber);
    const bookkeeping = createBookkeepingActivities({
      db: stack.db,
      calendar: createWorkingCalendar(),
      logger: createLogger({ level: 'silent' }),
      metrics: createWorkerMetrics(new Registry()),
      agencies: undefined as never,
    });
    // The activity's first attempt wrote, but its answer was lost: Temporal runs it again.
    const write = () => bookkeeping.recordSupplementReceived({ dossierId: id, step: 'PERMANENT_RESIDENCE', documents: ['DOC-A'], round: 1 });
    await write();
    await write();
    const step = await stack.db.dossierStep.findUniqueOrThrow({ where: { dossierId_step: { dossierId: id, step: 'PERMANENT_RESIDENCE' } } });
    expect([step.round, step.supplementDocuments]).toEqual([1, ['DOC-A']]);
    expect(await stack.db.dossierEvent.count({ where: { dossierId: id, type: 'SUPPLEMENT_RECEIVED' } })).toBe(1);
    await postJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}/withdrawal`, { reason: 'end of the test' }, stack.tokens.clerk);
    await stack.untilEnded(intake.dossierNumber);

    // The group's outcome likewise: written again, it ends the dossier once.
    await bookkeeping.recordGroupOutcome({ dossierId: id, status: 'WITHDRAWN', reason: 'end of the test' });
    expect(await stack.db.dossierEvent.count({ where: { dossierId: id, type: 'GROUP_ENDED' } })).toBe(1);
  });
});
