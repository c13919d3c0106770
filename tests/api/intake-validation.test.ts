import { intakeSchema } from '../../domain/intake';
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
    // Numbers carry their commune's office code: another commune's numbers can be neither taken nor probed.
    ['a number of another commune', (i) => ({ ...i, dossierNumber: `H79.26740-${i.dossierNumber.slice(10)}` }), { field: 'body.dossierNumber', reason: 'must begin with the office code of commune 79/26734, e.g. H79.26734-' }],
    ['a receipt in year 0001', (i) => ({ ...i, receivedAt: '0001-01-01T00:00:00Z' }), { field: 'body.receivedAt', reason: 'is more than 60 days ago' }],
    ['a receipt tomorrow', (i) => ({ ...i, receivedAt: new Date(Date.now() + 86_400_000).toISOString() }), { field: 'body.receivedAt', reason: 'is in the future' }],
    ['a birth in 1850', (i) => ({ ...i, child: { ...i.child, dateOfBirth: '1850-01-01' } }), { field: 'body.child.dateOfBirth', reason: 'expected a year between 1900 and 2199' }],
    ['a NUL in a name', (i) => ({ ...i, child: { ...i.child, fullName: 'Nguyễn\u0000An' } }), { field: 'body.child.fullName', reason: 'must not contain control characters' }],
    ['a line break in a name', (i) => ({ ...i, child: { ...i.child, fullName: 'Nguyễn\nAn' } }), { field: 'body.child.fullName', reason: 'must not contain control characters' }],
  ];

  it.each(cases)('rejects %s with 400, the field and the reason, and writes nothing', async (_name, mutate, expected) => {
    const intake = birthIntake();
    const before = await stack.db.dossier.count();
    const response = await postJson(`${stack.apiUrl}/v1/dossiers`, mutate(intake), stack.tokens.clerk);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ title: 'Invalid request', status: 400 });
    expect(response.body.errors).toContainEqual(expected);
    expect(await stack.db.dossier.count()).toBe(before);
    expect(await stack.db.dossier.findUnique({ where: { dossierNumber: intake.dossierNumber } })).toBeNull();
  });

  it('a receipt in year 0001 is refused at once, and the service keeps answering', async () => {
    const intake = { ...birthIntake(), receivedAt: '0001-01-01T00:00:00Z' };
    const [refused, health] = await Promise.all([postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk), fetch(`${stack.apiUrl}/health/live`)]);
    expect(refused.status).toBe(400);
    expect(health.status).toBe(200);
  });

  it('the same intake typed with decomposed diacritics (NFD) is the same dossier', async () => {
    const intake = birthIntake();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    const decomposed = { ...intake, child: { ...intake.child, fullName: intake.child.fullName.normalize('NFD') } };
    expect(decomposed.child.fullName).not.toBe(intake.child.fullName);
    const again = await postJson(`${stack.apiUrl}/v1/dossiers`, decomposed, stack.tokens.clerk);
    expect(again.status).toBe(200);
    expect(await stack.db.dossier.count({ where: { dossierNumber: intake.dossierNumber } })).toBe(1);
  });

  it('a NUL in a withdrawal reason is a 400 naming the field; the dossier is untouched and still ends', async () => {
    const intake = birthIntake();
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    const response = await postJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}/withdrawal`, { reason: 'moving\u0000away' }, stack.tokens.clerk);
    expect(response.status).toBe(400);
    expect(response.body.errors).toContainEqual({ field: 'body.reason', reason: 'must not contain control characters' });
    expect((await stack.untilEnded(intake.dossierNumber)).status).toBe('COMPLETED');
  });

  it('a stored intake is judged as of its receipt: a child who has since turned 6 does not wedge the card step', async () => {
    const intake = birthIntake();
    await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    await stack.untilEnded(intake.dossierNumber);
    const row = await stack.db.dossier.findUniqueOrThrow({ where: { dossierNumber: intake.dossierNumber } });
    const stored = row.intake as any;
    expect(stored.receivedAt).toBe(row.receivedAt.toISOString());
    // Read back years later: the child is 7 now, but was a newborn when the dossier was received.
    const later = { ...stored, child: { ...stored.child, dateOfBirth: '2019-01-01' }, receivedAt: '2019-02-01T02:00:00.000Z', birthCertificate: { ...stored.birthCertificate, issuedOn: '2019-01-01' } };
    expect(intakeSchema.safeParse(later).success).toBe(true);
  });

  it('rejects a body that is not JSON with a 400 problem', async () => {
    const response = await fetch(`${stack.apiUrl}/v1/dossiers`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tokens.clerk}` }, body: '{"group":' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { title: string }).title).toBe('Bad request');
  });

  it('answers 404 for an unknown dossier', async () => {
    const response = await fetch(`${stack.apiUrl}/v1/dossiers/UNKNOWN-000001`, { headers: { authorization: `Bearer ${stack.tokens.clerk}` } });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { title: string }).title).toBe('Dossier not found');
  });

  it('publishes the OpenAPI document with the intake schema', async () => {
    const response = await fetch(`${stack.apiUrl}/docs/json`);
    const document = (await response.json()) as any;
    expect(document.openapi).toMatch(/^3\./);
    const schema = document.paths['/v1/dossiers'].post.requestBody.content['application/json'].schema;
    const groups = (schema.oneOf ?? schema.anyOf).map((variant: any) => variant.properties.group.const ?? variant.properties.group.enum?.[0]);
    expect(groups).toEqual(['BIRTH', 'DEATH']);
    expect(document.components.securitySchemes.bearerAuth.scheme).toBe('bearer');
    // The agency inbox is documented too.
    expect(document.paths['/v1/tasks'].get).toBeDefined();
    expect(document.paths['/v1/tasks/{id}/completion'].post.requestBody.content['application/json'].schema.properties.result).toBeDefined();
  });
});
