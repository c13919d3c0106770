import { intakeSchema } from '../../domain/intake';
import { birthIntake, deathIntake } from '../support/fixtures';
import { postJson, startStack, type Stack } from '../support/stack';

describe('intake validation over HTTP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  const invisible = 'must not contain invisible or text-direction characters';
  const cases: [string, (intake: any) => unknown, { field: string; reason: string }][] = [
    ['a malformed parent ID number', (i) => ({ ...i, mother: { ...i.mother, personalIdNumber: '12345' } }), { field: 'body.mother.personalIdNumber', reason: 'expected a 12-digit personal ID number' }],
    ['an unknown province', (i) => ({ ...i, jurisdiction: { provinceCode: '99', communeCode: '26743' } }), { field: 'body.jurisdiction.provinceCode', reason: 'not a province code of the national list' }],
    ['a date of birth that is not a date', (i) => ({ ...i, child: { ...i.child, dateOfBirth: '2026-02-30' } }), { field: 'body.child.dateOfBirth', reason: 'not a calendar date' }],
    ['a date of birth in the future', (i) => ({ ...i, child: { ...i.child, dateOfBirth: '2099-01-01' }, procedures: { permanentResidence: true, healthInsurance: false } }), { field: 'body.child.dateOfBirth', reason: 'is in the future' }],
    ['health insurance for a child of 6', (i) => ({ ...i, child: { ...i.child, dateOfBirth: '2019-01-01' } }), { field: 'body.procedures.healthInsurance', reason: 'only for a child under 6' }],
    ['residence chosen without an address', (i) => ({ ...i, residence: undefined }), { field: 'body.residence', reason: 'required when permanent residence is chosen' }],
    ['no parent at all', (i) => ({ ...i, mother: undefined, father: undefined }), { field: 'body.mother', reason: 'the mother or the father is required' }],
    ['a missing child name', (i) => ({ ...i, child: { ...i.child, fullName: undefined } }), { field: 'body.child.fullName', reason: expect.stringContaining('expected string') }],
    ['an unknown procedure group', (i) => ({ ...i, group: 'MARRIAGE' }), { field: 'body.group', reason: expect.any(String) }],
    ['a dossier number with spaces', (i) => ({ ...i, dossierNumber: 'H79 0001' }), { field: 'body.dossierNumber', reason: 'expected 6–64 letters, digits, dots, dashes or underscores' }],
    // Numbers carry their commune's office code: another commune's numbers can be neither taken nor probed.
    ['a number of another commune', (i) => ({ ...i, dossierNumber: `H79.26740-${i.dossierNumber.slice(10)}` }), { field: 'body.dossierNumber', reason: 'must begin with the office code of commune 79/26743, e.g. H79.26743-' }],
    ['a receipt in year 0001', (i) => ({ ...i, receivedAt: '0001-01-01T00:00:00Z' }), { field: 'body.receivedAt', reason: 'is more than 60 days ago' }],
    ['a receipt tomorrow', (i) => ({ ...i, receivedAt: new Date(Date.now() + 86_400_000).toISOString() }), { field: 'body.receivedAt', reason: 'is in the future' }],
    ['a birth in 1850', (i) => ({ ...i, child: { ...i.child, dateOfBirth: '1850-01-01' } }), { field: 'body.child.dateOfBirth', reason: 'expected a year between 1900 and 2199' }],
    ['a NUL in a name', (i) => ({ ...i, child: { ...i.child, fullName: 'Nguyễn\u0000An' } }), { field: 'body.child.fullName', reason: 'must not contain control characters' }],
    ['a line break in a name', (i) => ({ ...i, child: { ...i.child, fullName: 'Nguyễn\nAn' } }), { field: 'body.child.fullName', reason: 'must not contain control characters' }],
    // Characters that print as nothing, or turn the text around: a look-alike of a registered name or number.
    ['a zero-width space in a name', (i) => ({ ...i, child: { ...i.child, fullName: 'Nguyễn\u200BMinh An' } }), { field: 'body.child.fullName', reason: invisible }],
    ['a zero-width joiner in a parent name', (i) => ({ ...i, father: { ...i.father, fullName: 'Nguyễn Văn\u200D Cường' } }), { field: 'body.father.fullName', reason: invisible }],
    ['a word joiner in the requester name', (i) => ({ ...i, requester: { ...i.requester, fullName: 'Trần\u2060Thị Bích' } }), { field: 'body.requester.fullName', reason: invisible }],
    ['a leading byte-order mark in a name', (i) => ({ ...i, mother: { ...i.mother, fullName: '\uFEFFTrần Thị Bích' } }), { field: 'body.mother.fullName', reason: invisible }],
    ['a right-to-left override in a certificate number', (i) => ({ ...i, birthCertificate: { ...i.birthCertificate, number: 'CS-\u202E2154004' } }), { field: 'body.birthCertificate.number', reason: invisible }],
    ['a bidi isolate in a certificate number', (i) => ({ ...i, birthCertificate: { ...i.birthCertificate, number: 'CS-2026\u2066-004512\u2069' } }), { field: 'body.birthCertificate.number', reason: invisible }],
    ['a trailing line separator in a certificate number', (i) => ({ ...i, birthCertificate: { ...i.birthCertificate, number: 'CS-2026-004512\u2028' } }), { field: 'body.birthCertificate.number', reason: invisible }],
    ['a paragraph separator in a place of birth', (i) => ({ ...i, child: { ...i.child, placeOfBirth: 'Bệnh viện\u2029Từ Dũ' } }), { field: 'body.child.placeOfBirth', reason: invisible }],
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

  it('refuses invisible characters and future dates of birth in a death intake, on their fields', async () => {
    const tomorrow = new Date(Date.now() + 7 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);
    const intake = deathIntake();
    const survivor = intake.survivorBenefit!.survivors[0]!;
    const mutated = {
      ...intake,
      deceased: { ...intake.deceased, fullName: 'Lê Văn\u200C Đức' },
      deathNotice: { ...intake.deathNotice, number: '\u202DBT-2026-00871' },
      funeralAllowance: { ...intake.funeralAllowance!, payee: { ...intake.funeralAllowance!.payee, fullName: 'Lê Thị\u2067 Hoa' } },
      survivorBenefit: { survivors: [{ ...survivor, fullName: 'Phạm Thị\u200B Lan' }, { ...survivor, personalIdNumber: '079150002222', dateOfBirth: tomorrow }] },
    };
    const response = await postJson(`${stack.apiUrl}/v1/dossiers`, mutated, stack.tokens.clerk);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'body.deceased.fullName', reason: invisible },
        { field: 'body.deathNotice.number', reason: invisible },
        { field: 'body.funeralAllowance.payee.fullName', reason: invisible },
        { field: 'body.survivorBenefit.survivors.0.fullName', reason: invisible },
        { field: 'body.survivorBenefit.survivors.1.dateOfBirth', reason: 'is in the future' },
      ]),
    );
    // A deceased born in the future is refused on the date of birth itself.
    const unborn = await postJson(`${stack.apiUrl}/v1/dossiers`, deathIntake({ deceased: { ...intake.deceased, dateOfBirth: tomorrow } }), stack.tokens.clerk);
    expect(unborn.status).toBe(400);
    expect(unborn.body.errors).toContainEqual({ field: 'body.deceased.dateOfBirth', reason: 'is in the future' });
    expect(await stack.db.dossier.count({ where: { dossierNumber: intake.dossierNumber } })).toBe(0);
  });

  it("refuses invisible characters in a facility's notice, on their fields", async () => {
    const notice = {
      kind: 'BIRTH',
      noticeNumber: `CS-${Date.now().toString(36)}`,
      facility: { code: '79024', name: 'Bệnh viện\u200B Từ Dũ' },
      child: { sex: 'FEMALE', dateOfBirth: birthIntake().child.dateOfBirth, placeOfBirth: 'Bệnh viện Từ Dũ' },
      mother: { fullName: 'Trần Thị\u202E Bích', personalIdNumber: '079195001234', residence: { line: '12 Nguyễn Trãi', communeCode: '26743', provinceCode: '79' } },
    };
    const response = await postJson(`${stack.apiUrl}/v1/notices`, notice, stack.tokens.hospital);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'body.facility.name', reason: invisible },
        { field: 'body.mother.fullName', reason: invisible },
      ]),
    );
    expect(await stack.db.lifeEventNotice.count({ where: { noticeNumber: notice.noticeNumber } })).toBe(0);
  });

  describe('the card for a child under 6, judged as of the receipt', () => {
    /** Vietnam's calendar date `days` ago, `years` earlier (28 February for a 29th in a common year). */
    const vietnamDay = (daysAgo: number, yearsEarlier = 0): string => {
      const day = new Date(Date.now() + 7 * 3_600_000 - daysAgo * 86_400_000);
      const [year, month, date] = [day.getUTCFullYear() - yearsEarlier, day.getUTCMonth() + 1, day.getUTCDate()];
      const valid = new Date(Date.UTC(year, month - 1, date)).getUTCMonth() === month - 1;
      return `${year}-${String(month).padStart(2, '0')}-${String(valid ? date : date - 1).padStart(2, '0')}`;
    };
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    // Six years old since ten days ago.
    const sixSinceTenDays = () => vietnamDay(10, 6);
    const turnedSix = (overrides: Parameters<typeof birthIntake>[0] = {}) => {
      const intake = birthIntake(overrides);
      const born = sixSinceTenDays();
      return { ...intake, child: { ...intake.child, dateOfBirth: born }, birthCertificate: { ...intake.birthCertificate, issuedOn: born }, ...overrides };
    };

    it('does not take a receipt dated back by the desk for the age: a child 6 by now gets no card', async () => {
      const backdated = { ...turnedSix(), receivedAt: daysAgo(20) };
      const refused = await postJson(`${stack.apiUrl}/v1/dossiers`, backdated, stack.tokens.clerk);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ status: 400, title: 'Invalid request', detail: expect.any(String) });
      expect(refused.body.errors).toEqual([{ field: 'body.procedures.healthInsurance', reason: expect.stringMatching(/^only for a child under 6 on the day of receipt, judged as of \d{4}-\d{2}-\d{2}: an earlier receivedAt counts only as far back as a facility's notice vouches$/) }]);
      expect(await stack.db.dossier.count({ where: { dossierNumber: backdated.dossierNumber } })).toBe(0);

      // Without the card the same dossier is taken, and keeps the desk's receipt time for its deadline.
      const withoutCard = { ...backdated, procedures: { permanentResidence: true, healthInsurance: false }, healthInsurance: undefined };
      const taken = await postJson(`${stack.apiUrl}/v1/dossiers`, withoutCard, stack.tokens.clerk);
      expect(taken.status).toBe(201);
      expect(taken.body.receivedAt).toBe(backdated.receivedAt);
    });

    it("believes the desk's receipt time for a dossier confirming the facility's notice of the birth", async () => {
      const born = sixSinceTenDays();
      const notice = {
        kind: 'BIRTH',
        noticeNumber: `CS-${Date.now().toString(36)}-6`,
        facility: { code: '79024', name: 'Bệnh viện Từ Dũ' },
        child: { sex: 'FEMALE', dateOfBirth: born, placeOfBirth: 'Bệnh viện Từ Dũ, Thành phố Hồ Chí Minh' },
        mother: { fullName: 'Trần Thị Bích', personalIdNumber: '079195001234', residence: { line: '12 Nguyễn Trãi', communeCode: '26743', provinceCode: '79' } },
      };
      const sent = await postJson(`${stack.apiUrl}/v1/notices`, notice, stack.tokens.hospital);
      expect(sent.status).toBe(201);
      // The API received the notice a month ago, when the child was still 5.
      await stack.db.lifeEventNotice.update({ where: { id: sent.body.noticeId }, data: { receivedAt: new Date(daysAgo(30)) } });
      const confirm = (receivedAt: string | undefined) => {
        const intake = turnedSix({ birthCertificate: { number: notice.noticeNumber, issuedBy: notice.facility.name, issuedOn: born } });
        const body = { ...intake, child: { ...intake.child, sex: 'FEMALE', dateOfBirth: born }, ...(receivedAt ? { receivedAt } : {}) };
        return postJson(`${stack.apiUrl}/v1/notices/${sent.body.noticeId}/confirmation`, body, stack.tokens.clerk);
      };
      // Received at the desk today: the child is 6.
      const today = await confirm(undefined);
      expect(today.status).toBe(400);
      expect(today.body.errors).toEqual([{ field: 'body.procedures.healthInsurance', reason: expect.stringMatching(/^only for a child under 6/) }]);
      // Received twenty days ago, after the notice: the child was 5 then, and the deadline counts from then.
      const receivedAt = daysAgo(20);
      const vouched = await confirm(receivedAt);
      expect(vouched.status).toBe(201);
      expect(vouched.body.receivedAt).toBe(receivedAt);
    });
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
    const response = await fetch(`${stack.opsUrl}/docs/json`);
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
