import { randomUUID } from 'node:crypto';
import { searchAttributes, workflowTypes } from '../../workflows/contract';
import { groupInput } from '../workflows/harness';
import { birthIntake } from '../support/fixtures';
import { eventually, getJson, postJson, setAgencyFaults, startStack, type Stack } from '../support/stack';

describe('supervision on the real stack: an agency outage, incidents, and a bulk retry', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('exhausted retries raise an incident per dossier; one bulk retry after recovery completes them all', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: true });
    const intakes = [1, 2, 3].map(() => birthIntake({ procedures: { permanentResidence: true, healthInsurance: false } }));
    for (const intake of intakes) expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    const numbers = intakes.map((i) => i.dossierNumber);
    await eventually(async () => {
      const open = await stack.db.incident.count({ where: { status: 'OPEN', dossier: { dossierNumber: { in: numbers } } } });
      return open === 3 ? true : undefined;
    });

    const list = await getJson(`${stack.apiUrl}/v1/supervision/dossiers?incident=true&agency=COMMUNE_POLICE&pageSize=200`, stack.tokens.provinceSupervisor);
    expect(list.status).toBe(200);
    const listed = list.body.dossiers.filter((d: any) => numbers.includes(d.dossierNumber));
    expect(listed).toHaveLength(3);
    expect(listed[0].openSteps).toEqual([{ step: 'PERMANENT_RESIDENCE', agency: 'COMMUNE_POLICE', status: 'INCIDENT', since: expect.any(String) }]);
    expect(list.body.countsByAgencyAndStep).toContainEqual({ agency: 'COMMUNE_POLICE', step: 'PERMANENT_RESIDENCE', status: 'INCIDENT', count: expect.any(Number) });

    // Steps carry the agency's deadline; one whose time ran out makes its dossier overdue.
    const step = await stack.db.dossierStep.findFirstOrThrow({ where: { dossier: { dossierNumber: numbers[0] }, step: 'PERMANENT_RESIDENCE' } });
    expect(step.dueAt!.getTime()).toBeGreaterThan(Date.now());
    const overdueNumbers = async () =>
      (await getJson(`${stack.apiUrl}/v1/supervision/dossiers?overdue=true&pageSize=200`, stack.tokens.provinceSupervisor)).body.dossiers
        .map((d: any) => d.dossierNumber)
        .filter((n: string) => numbers.includes(n));
    expect(await overdueNumbers()).toEqual([]);
    await stack.db.dossierStep.update({ where: { id: step.id }, data: { dueAt: new Date(Date.now() - 3600_000) } });
    expect(await overdueNumbers()).toEqual([numbers[0]]);
    expect((await stack.status(numbers[0]!)).steps.find((s: any) => s.step === 'PERMANENT_RESIDENCE').overdue).toBe(true);

    // Not a supervisor's business: clerks and officers are refused, and nothing changes.
    for (const token of [stack.tokens.clerk, stack.tokens.policeOfficer]) {
      expect((await getJson(`${stack.apiUrl}/v1/supervision/dossiers`, token)).status).toBe(403);
      expect((await postJson(`${stack.apiUrl}/v1/supervision/incidents/decisions`, { filter: { agency: 'COMMUNE_POLICE' }, decision: 'RETRY', reason: 'not mine' }, token)).status).toBe(403);
    }
    expect(await stack.db.incident.count({ where: { status: 'OPEN', dossier: { dossierNumber: { in: numbers } } } })).toBe(3);

    await setAgencyFaults(stack.simulatorUrl, 'police', { outage: false });
    const bulk = await postJson(`${stack.apiUrl}/v1/supervision/incidents/decisions`, { filter: { agency: 'COMMUNE_POLICE', provinceCode: '79' }, decision: 'RETRY', reason: 'police system back after the outage' }, stack.tokens.provinceSupervisor);
    expect(bulk.status).toBe(200);
    expect(bulk.body.accepted).toBeGreaterThanOrEqual(3);

    for (const number of numbers) {
      const done = await eventually(async () => {
        const { body } = await getJson(`${stack.apiUrl}/v1/dossiers/${number}`, stack.tokens.clerk);
        return body.status === 'COMPLETED' ? body : undefined;
      });
      expect(done.steps.find((s: any) => s.step === 'PERMANENT_RESIDENCE').status).toBe('COMPLETED');
      expect(done.overdue).toBe(false);
    }
    const timeline = await getJson(`${stack.apiUrl}/v1/dossiers/${numbers[0]}/timeline`, stack.tokens.provinceSupervisor);
    expect(timeline.body.incidents).toEqual([expect.objectContaining({ step: 'PERMANENT_RESIDENCE', kind: 'STEP', status: 'RESOLVED', decision: 'RETRY' })]);
    const types = timeline.body.entries.map((e: any) => e.type);
    expect(types).toEqual(expect.arrayContaining(['DOSSIER_RECEIVED', 'INCIDENT_OPENED', 'incident.retry', 'INCIDENT_RESOLVED', 'GROUP_ENDED']));
    expect(timeline.body.entries.find((e: any) => e.type === 'incident.retry').actor).toBe('SUPERVISOR:dev-supervisor-79');
    // Another province's officer cannot even see the dossier.
    expect((await getJson(`${stack.apiUrl}/v1/dossiers/${numbers[0]}/timeline`, stack.tokens.otherProvinceOfficer)).status).toBe(404);
  }, 90_000);

  it('a workflow whose code keeps failing is listed for supervisors and only for them', async () => {
    // A definition version no code knows: the workflow task fails on every attempt.
    const input = { ...groupInput('BIRTH'), definitionVersion: 99 };
    const workflowId = `dossier-${input.dossierNumber}`;
    const handle = await stack.temporal.workflow.start(workflowTypes.procedureGroup, {
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [input],
      typedSearchAttributes: [
        { key: searchAttributes.dossierNumber, value: input.dossierNumber },
        { key: searchAttributes.provinceCode, value: '79' },
        { key: searchAttributes.communeCode, value: '26743' },
      ],
    });
    const listed = await eventually(async () => {
      const { body } = await getJson(`${stack.apiUrl}/v1/supervision/workflow-problems`, stack.tokens.provinceSupervisor);
      return body.workflows.find((w: any) => w.workflowId === workflowId);
    }, 60_000);
    expect(listed).toEqual({ dossierNumber: input.dossierNumber, workflowId, problems: expect.arrayContaining(['category=WorkflowTaskFailed']) });
    expect((await getJson(`${stack.apiUrl}/v1/supervision/workflow-problems`, stack.tokens.clerk)).status).toBe(403);
    await handle.terminate(`test over ${randomUUID()}`);
  }, 90_000);
});
