import { birthIntake, personalIdFor } from '../support/fixtures';
import { eventually, getJson, postJson, startStack, type Stack } from '../support/stack';

/** A personal ID number typed in by the population database's officer is checked as its system checks one. */
describe('personal ID numbers entered by hand', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ MANUAL_STEPS: 'POPULATION_DATABASE' });
  });
  afterAll(async () => {
    await stack.stop();
  });

  const idTask = async () => {
    const intake = birthIntake({ procedures: { permanentResidence: false, healthInsurance: false } });
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    const task = await eventually(async () => {
      const { body } = await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${intake.dossierNumber}&step=PERSONAL_ID`, stack.tokens.populationDatabaseSystem);
      return body.items?.[0];
    });
    return { intake, task };
  };
  const complete = (taskId: string, personalIdNumber: string) =>
    postJson(`${stack.apiUrl}/v1/tasks/${taskId}/completion`, { result: { personalIdNumber, issuedAt: new Date().toISOString() } }, stack.tokens.populationDatabaseSystem);

  it('refuses a number that does not fit the child (province, century/sex, birth year), field by field', async () => {
    const { intake, task } = await idTask();
    const good = personalIdFor(intake.child); // female, born this year, province 79: 0793YY…
    const cases: [string, RegExp][] = [
      [`001${good.slice(3)}`, /province code 079/],
      [`${good.slice(0, 3)}2${good.slice(4)}`, /century\/sex digit must be 3/],
      [`${good.slice(0, 4)}99${good.slice(6)}`, /birth-year digits/],
    ];
    for (const [number, reason] of cases) {
      const response = await complete(task.id, number);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'body.result.personalIdNumber', reason: expect.stringMatching(reason) }]);
    }
    expect((await complete(task.id, good)).status).toBe(200);
    expect((await stack.untilEnded(intake.dossierNumber)).status).toBe('COMPLETED');
  });

  it('refuses a number already issued on another dossier with a 409 that does not say which', async () => {
    const first = await idTask();
    const number = personalIdFor(first.intake.child);
    expect((await complete(first.task.id, number)).status).toBe(200);
    const second = await idTask();
    const response = await complete(second.task.id, number);
    expect(response.status).toBe(409);
    expect(JSON.stringify(response.body)).not.toContain(first.intake.dossierNumber);
    const task = await getJson(`${stack.apiUrl}/v1/tasks/${second.task.id}`, stack.tokens.populationDatabaseSystem);
    expect(task.body.status).toBe('OPEN');
    expect((await complete(second.task.id, personalIdFor(second.intake.child))).status).toBe(200);
  });
});
