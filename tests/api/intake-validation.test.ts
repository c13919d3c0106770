import { birthIntake } from '../support/fixtures';
import { postJson, startStack, type Stack } from '../support/stack';

describe('intake validation over HTTP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  const cases: [string, (intake: any) => unknown, { field: string; reason: string }][] = [
    ['a malformed parent ID number', (i) => ({ ...i, mother: { ...i.mother, personalIdNumber: '12345' } }), { field: 'body.mother.personalIdNumber', reason: 'expected a 12-digit personal ID number' }],
    ['an unknown province', (i) => ({ ...i, jurisdiction: { provinceCode: '99', communeCode: '26734' } }), { field: 'body.jurisdiction.provinceCode', reason: 'not a province code of the national list' }],
    ['a date of birth that is not a date', (i) => ({ ...i, child: { ...i.child, dateOfBirth: '2026-02-30' } }), { field: 'body.child.dateOfBirth', reason: 'not a calendar date' }],
    ['a date of birth in the future', (i) => ({ ...i, child: { ...i.child, dateOfBirth: '2099-01-01' }, procedures: { permanentResidence: true, healthInsurance: false } }), { field: 'body.child.dateOfBirth', reason: 'is in the future' }],
    ['health insurance for a child of 6', (i) => ({ ...i, child: { ...i.child, dateOfBirth: '2019-01-01' } }), { field: 'body.procedures.healthInsurance', reason: 'only for a child under 6' }],
    ['residence chosen without an address', (i) => ({ ...i, residence: undefined }), { field: 'body.residence', reason: 'required when permanent residence is chosen' }],
    ['no parent at all', (i) => ({ ...i, mother: undefined, father: undefined }), { field: 'body.mother', reason: 'the mother or the father is required' }],
    ['a missing child name', (i) => ({ ...i, child: { ...i.child, fullName: undefined } }), { field: 'body.child.fullName', reason: expect.stringContaining('expected string') }],
    ['an unknown procedure group', (i) => ({ ...i, group: 'MARRIAGE' }), { field: 'body.group', reason: expect.any(String) }],
    ['a dossier number with spaces', (i) => ({ ...i, dossierNumber: 'H79 0001' }), { field: 'body.dossierNumber', reason: 'expected 6–64 letters, digits, dots, dashes or underscores' }],
  ];

  it.each(cases)('rejects %s with 400, the field and the reason, and writes nothing', async (_name, mutate, expected) => {
    const intake = birthIntake();
    const before = await stack.db.dossier.count();
    const response = await postJson(`${stack.apiUrl}/v1/dossiers`, mutate(intake));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ title: 'Invalid request', status: 400 });
    expect(response.body.errors).toContainEqual(expected);
    expect(await stack.db.dossier.count()).toBe(before);
    expect(await stack.db.dossier.findUnique({ where: { dossierNumber: intake.dossierNumber } })).toBeNull();
  });

  it('rejects a body that is not JSON with a 400 problem', async () => {
    const response = await fetch(`${stack.apiUrl}/v1/dossiers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"group":' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { title: string }).title).toBe('Bad request');
  });

  it('answers 404 for an unknown dossier', async () => {
    const response = await fetch(`${stack.apiUrl}/v1/dossiers/UNKNOWN-000001`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { title: string }).title).toBe('Dossier not found');
  });

  it('publishes the OpenAPI document with the intake schema', async () => {
    const response = await fetch(`${stack.apiUrl}/docs/json`);
    const document = (await response.json()) as any;
    expect(document.openapi).toMatch(/^3\./);
    expect(document.paths['/v1/dossiers'].post.requestBody.content['application/json'].schema.properties.child).toBeDefined();
  });
});
