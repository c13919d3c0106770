import { randomUUID } from 'node:crypto';
import { communeOf, communesOf } from '../../domain/jurisdiction';
import { birthIntake, deathIntake } from '../support/fixtures';
import { postJson, startStack, type Stack } from '../support/stack';

/**
 * Places from the national list and people by name, over real HTTP against the real stack: a commune
 * that does not exist, or not in the province stated, is a 400 on its field (intake, notice, draft);
 * dossiers are found by the child's or deceased's name, accents ignored, names masked for supervisors;
 * hostile names are refused; the receipt names the applicant, the office and the documents received.
 */
describe('names and places', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  }, 180_000);
  afterAll(async () => {
    await stack.stop();
  });

  const submit = (intake: unknown, token = stack.tokens.clerk) => postJson(`${stack.apiUrl}/v1/dossiers`, intake, token);
  const search = (body: Record<string, unknown>, token = stack.tokens.clerk) => postJson(`${stack.apiUrl}/v1/dossiers/search`, body, token);
  const numbers = (answer: { body: { items: { dossierNumber: string }[] } }) => answer.body.items.map((d) => d.dossierNumber);

  describe('communes of the national list', () => {
    it('the list holds 34 provinces and their 3,321 communes; Bến Thành is in Hồ Chí Minh City', () => {
      expect(communeOf('26743')).toEqual({ code: '26743', name: 'Phường Bến Thành', provinceCode: '79' });
      expect(communeOf('26734')).toBeUndefined();
      expect(communesOf('79').length).toBeGreaterThan(100);
    });

    it.each([
      ['the desk commune does not exist', { jurisdiction: { provinceCode: '79', communeCode: '26734' }, dossierNumber: `H79.26734-${randomUUID().slice(0, 8)}` }, 'body.jurisdiction.communeCode', 'not a commune code of the national list'],
      ["a parent's commune does not exist", { mother: { ...birthIntake().mother!, residence: { line: '1 Lê Lợi', provinceCode: '79', communeCode: '99999' } } }, 'body.mother.residence.communeCode', 'not a commune code of the national list'],
      ["a parent's commune is of another province (Ba Đình, Hà Nội, stated in 79)", { father: { ...birthIntake().father!, residence: { line: '1 Lê Lợi', provinceCode: '79', communeCode: '00004' } } }, 'body.father.residence.communeCode', 'not a commune of province 79'],
      ['the residence commune is of another province', { residence: { line: '1 Lê Lợi', provinceCode: '01', communeCode: '26743', headOfHouseholdConsent: true } }, 'body.residence.communeCode', 'not a commune of province 01'],
    ])('an intake where %s: 400 on the field, nothing written', async (_case, overrides, field, reason) => {
      const intake = { ...birthIntake(), ...overrides };
      const answer = await submit(intake);
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body.errors).toContainEqual({ field, reason });
      expect(await stack.db.dossier.findUnique({ where: { dossierNumber: intake.dossierNumber } })).toBeNull();
    });

    it("a death intake in another province's commune: 400 on the jurisdiction's commune", async () => {
      const intake = deathIntake({ jurisdiction: { provinceCode: '79', communeCode: '00004' }, dossierNumber: `K79.00004-${randomUUID().slice(0, 8)}` });
      const answer = await submit(intake);
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toContainEqual({ field: 'body.jurisdiction.communeCode', reason: 'not a commune of province 79' });
    });

    it("a facility's notice for a commune that does not exist, or of another province: 400, no draft", async () => {
      const notice = (communeCode: string) => ({
        kind: 'BIRTH',
        noticeNumber: `CS-${randomUUID().slice(0, 12)}`,
        facility: { code: '79024', name: 'Bệnh viện Từ Dũ' },
        child: { sex: 'FEMALE', dateOfBirth: new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10), placeOfBirth: 'Bệnh viện Từ Dũ', weightGrams: 3100 },
        mother: { fullName: 'Trần Thị Bích', personalIdNumber: '079195001234', residence: { line: '12 Nguyễn Trãi', communeCode, provinceCode: '79' } },
      });
      for (const [communeCode, reason] of [['26734', 'not a commune code of the national list'], ['20194', 'not a commune of province 79']] as const) {
        const sent = notice(communeCode);
        const answer = await postJson(`${stack.apiUrl}/v1/notices`, sent, stack.tokens.hospital);
        expect(answer.status).toBe(400);
        expect(answer.body.errors).toContainEqual({ field: 'body.mother.residence.communeCode', reason });
        expect(await stack.db.lifeEventNotice.count({ where: { noticeNumber: sent.noticeNumber } })).toBe(0);
      }
    });

    it("a draft's confirmation with a parent's commune of another province: 400, the draft stays a draft", async () => {
      const noticeNumber = `CS-${randomUUID().slice(0, 12)}`;
      const born = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
      const sent = await postJson(
        `${stack.apiUrl}/v1/notices`,
        {
          kind: 'BIRTH',
          noticeNumber,
          facility: { code: '79024', name: 'Bệnh viện Từ Dũ' },
          child: { sex: 'FEMALE', dateOfBirth: born, placeOfBirth: 'Bệnh viện Từ Dũ', weightGrams: 3100 },
          mother: { fullName: 'Trần Thị Bích', personalIdNumber: '079195001234', residence: { line: '12 Nguyễn Trãi', communeCode: '26743', provinceCode: '79' } },
        },
        stack.tokens.hospital,
      );
      expect(sent.status).toBe(201);
      const intake = birthIntake({ mother: { ...birthIntake().mother!, residence: { line: '12 Nguyễn Trãi', provinceCode: '79', communeCode: '20194' } } });
      const answer = await postJson(`${stack.apiUrl}/v1/notices/${sent.body.noticeId}/confirmation`, intake, stack.tokens.clerk);
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toContainEqual({ field: 'body.mother.residence.communeCode', reason: 'not a commune of province 79' });
      expect((await stack.db.lifeEventNotice.findUnique({ where: { id: sent.body.noticeId } }))?.status).toBe('DRAFT');
    });
  });

  describe('search by name', () => {
    // A name no other test gives a child: the suite shares one database, and a page of the list is 50.
    const an = birthIntake({ child: { ...birthIntake().child, fullName: 'Nguyễn Văn Khuê' } });
    const anh = birthIntake({ child: { ...birthIntake().child, fullName: 'Trần Thị Ánh' } });
    const duc = deathIntake({ deceased: { ...deathIntake().deceased, fullName: 'Đặng Văn Đức' } });
    beforeAll(async () => {
      for (const intake of [an, anh, duc]) expect((await submit(intake)).status).toBeLessThan(300);
    }, 120_000);

    it.each([
      ['without accents', 'nguyen van khue'],
      ['with accents', 'Nguyễn Văn Khuê'],
      ['in capitals, words in another order', 'KHUÊ NGUYỄN'],
      ['with decomposed diacritics', 'Nguye\u0302\u0303n Va\u0306n Khue\u0302'],
    ])('finds the child %s', async (_case, name) => {
      const answer = await search({ name });
      expect(answer.status).toBe(200);
      expect(numbers(answer)).toContain(an.dossierNumber);
      expect(numbers(answer)).not.toContain(anh.dossierNumber);
      expect(answer.body.items.find((d: any) => d.dossierNumber === an.dossierNumber).name).toBe('Nguyễn Văn Khuê');
    });

    it("finds the deceased by name (đ as d) and keeps the list's other filters", async () => {
      expect(numbers(await search({ name: 'dang van duc' }))).toEqual([duc.dossierNumber]);
      expect(numbers(await search({ name: 'dang van duc', group: 'BIRTH' }))).toEqual([]);
      // Whole words: a part of a word is not a name.
      expect(numbers(await search({ name: 'nguy van khue' }))).not.toContain(an.dossierNumber);
    });

    it('shows names as each role may read them: in full to the desk and the agency, masked to supervisors, nothing outside the scope', async () => {
      const item = async (token: string) => (await search({ name: 'nguyen van khue' }, token)).body.items.find((d: any) => d.dossierNumber === an.dossierNumber);
      expect((await item(stack.tokens.clerk)).name).toBe('Nguyễn Văn Khuê');
      expect((await item(stack.tokens.civilStatusOfficer)).name).toBe('Nguyễn Văn Khuê');
      expect((await item(stack.tokens.provinceSupervisor)).name).toBe('N••• V••• K•••');
      expect((await item(stack.tokens.nationalSupervisor)).name).toBe('N••• V••• K•••');
      const elsewhere = await search({ name: 'nguyen van khue' }, stack.tokens.otherProvinceOfficer);
      expect([elsewhere.status, elsewhere.body.total]).toEqual([200, 0]);
      // The list without a name carries the names too, masked the same way.
      const listed = (await search({ pageSize: 100 }, stack.tokens.provinceSupervisor)).body.items.find((d: any) => d.dossierNumber === duc.dossierNumber);
      expect(listed.name).toBe('Đ••• V••• Đ•••');
    });

    it.each([
      ['a percent sign', '%'],
      ['an underscore', '_'],
      ['a wildcard inside a name', 'Nguy%n'],
      ['SQL', "an'; DROP TABLE dossier; --"],
      ['a very long string', 'a'.repeat(100_000)],
      ['no letter at all', "'- -'"],
      ['nine words', 'an an an an an an an an an'],
    ])('refuses %s in the name: 400 on body.name, the dossiers untouched', async (_case, name) => {
      const before = await stack.db.dossier.count();
      const answer = await search({ name });
      expect(answer.status).toBe(400);
      expect(answer.body.errors.length).toBeGreaterThan(0);
      expect(answer.body.errors.map((e: { field: string }) => e.field)).toEqual(answer.body.errors.map(() => 'body.name'));
      expect(await stack.db.dossier.count()).toBe(before);
    });

    it('a search answer is never stored to be replayed, even under an Idempotency-Key', async () => {
      const key = `search-${randomUUID()}`;
      const first = await postJson(`${stack.apiUrl}/v1/dossiers/search`, { name: 'nguyen van an' }, stack.tokens.clerk, { 'idempotency-key': key });
      expect(first.status).toBe(200);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(await stack.db.idempotentRequest.count({ where: { key } })).toBe(0);
    });

    it('the name is found through its GIN index', async () => {
      const plan = await stack.db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
        return tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>("EXPLAIN SELECT id FROM dossier WHERE name_words @> dossier_name_words('nguyen van an')");
      });
      expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('dossier_name_words_idx');
    });
  });

  it("the intake's receipt names the applicant, the commune's civil-status office and the documents received; so does a new receipt code", async () => {
    const intake = birthIntake({ requester: { fullName: 'Nguyễn Văn Cường', personalIdNumber: '079092004321', relationship: 'FATHER' } });
    const answer = await submit(intake);
    expect(answer.status).toBeLessThan(300);
    const slip = {
      applicant: 'Nguyễn Văn Cường',
      office: 'Ủy ban nhân dân phường Bến Thành, Thành phố Hồ Chí Minh',
      documents: ['BIRTH_CERTIFICATE', 'PARENT_IDENTITY', 'REQUESTER_IDENTITY', 'HOUSEHOLD_CONSENT', 'HEALTH_FACILITY_DECLARATION'],
    };
    expect(answer.body.slip).toEqual(slip);
    const reissued = await postJson(`${stack.apiUrl}/v1/dossiers/${encodeURIComponent(intake.dossierNumber)}/receipt-code`, {}, stack.tokens.clerk);
    expect([reissued.status, reissued.body.slip]).toEqual([201, slip]);
  });
});
