import { randomInt } from 'node:crypto';
import { birthIntake } from '../support/fixtures';
import { eventually, getJson, postJson, setAgencyFaults, startStack, type Stack } from '../support/stack';

const today = () => new Date().toISOString().slice(0, 10);
const residence = () => ({ residenceRecordNumber: `TT-79-${randomInt(10_000)}`, registeredOn: today() });

/**
 * The states supervisors and clerks act on, as the API tells them: a stopping dossier, the steps owed,
 * and the incidents a bulk retry touches, which are exactly those of the dossiers the list shows.
 */
describe('supervisor states on the real stack', () => {
  let stack: Stack;
  beforeAll(async () => {
    // The commune police works by hand: its act stands until an officer undoes it.
    stack = await startStack({ MANUAL_STEPS: 'COMMUNE_POLICE@79', STEP_MAX_ATTEMPTS: '2' });
  });
  afterAll(async () => {
    await setAgencyFaults(stack.simulatorUrl, 'social-security', { outage: false }).catch(() => undefined);
    await stack?.stop();
  });

  const submit = async () => {
    const intake = birthIntake();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    return intake.dossierNumber;
  };
  const stepOf = async (dossierNumber: string, step: string) => (await stack.status(dossierNumber)).steps.find((s: any) => s.step === step);
  const policeTask = (dossierNumber: string, kind: string) =>
    eventually(async () => (await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${encodeURIComponent(dossierNumber)}&kind=${kind}`, stack.tokens.policeOfficer)).body.items[0], 60_000);
  const stuck = async (query: string) => {
    const answer = await getJson(`${stack.apiUrl}/v1/supervision/dossiers?pageSize=200&${query}`, stack.tokens.provinceSupervisor);
    expect(answer.status).toBe(200);
    return answer.body.dossiers as any[];
  };
  const preview = async (filter: Record<string, string>) => {
    const answer = await postJson(`${stack.apiUrl}/v1/supervision/incidents/decisions`, { filter, decision: 'RETRY', reason: 'preview', dryRun: true }, stack.tokens.provinceSupervisor);
    expect(answer.status).toBe(200);
    return answer.body;
  };

  it('a withdrawn dossier waiting for its undo says so, and a second withdrawal or a cancellation is a 409', async () => {
    // Social security down: the card's step waits on an incident, so the group is still running once the police acted.
    await setAgencyFaults(stack.simulatorUrl, 'social-security', { outage: true });
    const dossierNumber = await submit();
    const act = await policeTask(dossierNumber, 'ACT');
    expect((await postJson(`${stack.apiUrl}/v1/tasks/${act.id}/claim`, {}, stack.tokens.policeOfficer)).status).toBe(200);
    expect((await postJson(`${stack.apiUrl}/v1/tasks/${act.id}/completion`, { result: residence() }, stack.tokens.policeOfficer)).status).toBe(200);
    await eventually(async () => ((await stepOf(dossierNumber, 'PERMANENT_RESIDENCE')).status === 'COMPLETED' ? true : undefined));

    const withdraw = (key: string) => postJson(`${stack.apiUrl}/v1/dossiers/${dossierNumber}/withdrawal`, { reason: 'the family withdraws' }, stack.tokens.clerk, { 'idempotency-key': key });
    expect((await withdraw('first-withdrawal')).status).toBe(202);
    await setAgencyFaults(stack.simulatorUrl, 'social-security', { outage: false });
    const undo = await policeTask(dossierNumber, 'UNDO');
    expect(undo.status).toBe('OPEN');

    const waiting = await stack.status(dossierNumber);
    expect(waiting).toMatchObject({ status: 'IN_PROGRESS', stopping: 'WITHDRAWN' });
    const listed = (await getJson(`${stack.apiUrl}/v1/dossiers?q=${encodeURIComponent(dossierNumber)}`, stack.tokens.clerk)).body.items;
    expect(listed.map((d: any) => [d.dossierNumber, d.stopping])).toEqual([[dossierNumber, 'WITHDRAWN']]);
    const [row] = (await stuck('agency=COMMUNE_POLICE')).filter((d) => d.dossierNumber === dossierNumber);
    expect(row.stopping).toBe('WITHDRAWN');
    expect(row.openSteps).toEqual([expect.objectContaining({ step: 'PERMANENT_RESIDENCE', agency: 'COMMUNE_POLICE', status: 'UNDO_REQUESTED' })]);
    expect(Date.parse(row.openSteps[0].since)).toBeLessThanOrEqual(Date.now());

    // A repeat of the same request is the same answer; a second withdrawal or a cancellation is refused.
    expect((await withdraw('first-withdrawal')).status).toBe(202);
    const second = await withdraw('second-withdrawal');
    expect(second.status).toBe(409);
    expect(second.body.detail).toMatch(/already being stopped/);
    const cancel = await postJson(`${stack.apiUrl}/v1/dossiers/${dossierNumber}/registration-cancellation`, { reason: 'duplicate' }, stack.tokens.provinceSupervisor);
    expect(cancel.status).toBe(409);
    expect((await stack.status(dossierNumber)).stopping).toBe('WITHDRAWN');

    // Undone by the officer: withdrawn, no longer stopping.
    expect((await postJson(`${stack.apiUrl}/v1/tasks/${undo.id}/claim`, {}, stack.tokens.policeOfficer)).status).toBe(200);
    expect((await postJson(`${stack.apiUrl}/v1/tasks/${undo.id}/completion`, { result: { reference: 'QD-XOA-79-7' } }, stack.tokens.policeOfficer)).status).toBe(200);
    expect(await stack.untilEnded(dossierNumber)).toMatchObject({ status: 'WITHDRAWN', stopping: null });
  });

  it('incidents grouped by error type; the list and the bulk preview agree, a failed undo (no open step) included', async () => {
    // A card issued, then the group withdrawn while social security is down: its undo fails, an incident on a COMPLETED step.
    const undoFails = await submit();
    await eventually(async () => ((await stepOf(undoFails, 'CHILD_HEALTH_INSURANCE'))?.status === 'COMPLETED' ? true : undefined), 60_000);
    await setAgencyFaults(stack.simulatorUrl, 'social-security', { outage: true });
    expect((await postJson(`${stack.apiUrl}/v1/dossiers/${undoFails}/withdrawal`, { reason: 'the family withdraws' }, stack.tokens.clerk)).status).toBe(202);
    // And a card not issued: the step itself parks on an incident.
    const stepFails = await submit();
    await eventually(async () => ((await stepOf(stepFails, 'CHILD_HEALTH_INSURANCE'))?.status === 'INCIDENT' ? true : undefined), 90_000);
    const compensation = await eventually(
      async () => (await stack.db.incident.findFirst({ where: { dossier: { dossierNumber: undoFails }, kind: 'COMPENSATION', status: 'OPEN' } })) ?? undefined,
      90_000,
    );
    expect(compensation.agency).toBe('SOCIAL_SECURITY');
    expect((await stepOf(undoFails, 'CHILD_HEALTH_INSURANCE')).status).toBe('COMPLETED');
    expect((await stack.status(undoFails)).stopping).toBe('WITHDRAWN');

    const mine = (numbers: string[]) => numbers.filter((n) => n === undoFails || n === stepFails).sort();
    // The edge: filtered by the agency, the list used to miss the failed undo that a retry touched.
    const queries: Record<string, string>[] = [{ agency: 'SOCIAL_SECURITY' }, { agency: 'SOCIAL_SECURITY', incident: 'true' }, { step: 'CHILD_HEALTH_INSURANCE', provinceCode: '79' }];
    for (const query of queries) {
      const listed = mine((await stuck(new URLSearchParams(query).toString())).map((d) => d.dossierNumber));
      const previewed = await preview(query);
      expect(listed).toEqual([undoFails, stepFails].sort());
      expect(mine(previewed.incidents.map((i: any) => i.dossierNumber))).toEqual(listed);
      expect(previewed.incidentIds).toEqual(previewed.incidents.map((i: any) => i.id));
    }
    // A filter the list narrows (no incident) reaches no incident either.
    expect(mine((await preview({ agency: 'SOCIAL_SECURITY', incident: 'false' })).incidents.map((i: any) => i.dossierNumber))).toEqual([]);
    const row = (await stuck('agency=SOCIAL_SECURITY')).find((d) => d.dossierNumber === undoFails);
    expect(row.openSteps).toEqual(expect.arrayContaining([expect.objectContaining({ step: 'CHILD_HEALTH_INSURANCE', status: 'INCIDENT' })]));

    const grouped = await getJson(`${stack.apiUrl}/v1/supervision/incident-groups`, stack.tokens.provinceSupervisor);
    expect(grouped.status).toBe(200);
    const group = grouped.body.groups.find((g: any) => g.agency === 'SOCIAL_SECURITY' && g.step === 'CHILD_HEALTH_INSURANCE');
    expect(group).toMatchObject({ errorType: 'AGENCY_UNAVAILABLE' });
    expect(group.count).toBeGreaterThanOrEqual(2);
    const hostile = await getJson(`${stack.apiUrl}/v1/supervision/incident-groups?errorType=DROP%20TABLE`, stack.tokens.provinceSupervisor);
    expect(hostile.status).toBe(400);
    expect((await getJson(`${stack.apiUrl}/v1/supervision/incident-groups`, stack.tokens.clerk)).status).toBe(403);

    // The group retried in bulk: its preview is what the act touches, and both dossiers move on once the agency is back.
    const filter = { errorType: group.errorType, agency: group.agency, step: group.step };
    const seen = await preview(filter);
    expect(mine(seen.incidents.map((i: any) => i.dossierNumber))).toEqual([undoFails, stepFails].sort());
    await setAgencyFaults(stack.simulatorUrl, 'social-security', { outage: false });
    const act = await postJson(`${stack.apiUrl}/v1/supervision/incidents/decisions`, { filter, decision: 'RETRY', reason: 'back online', incidentIds: seen.incidentIds }, stack.tokens.provinceSupervisor);
    expect(act.status).toBe(200);
    expect(act.body).toMatchObject({ matched: seen.matched, accepted: seen.matched });
    expect((await stack.untilEnded(undoFails)).status).toBe('WITHDRAWN');
    await eventually(async () => ((await stepOf(stepFails, 'CHILD_HEALTH_INSURANCE')).status === 'COMPLETED' ? true : undefined), 60_000);
  });
});
