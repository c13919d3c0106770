import { randomUUID } from 'node:crypto';
import { signToken } from '../../api/auth/tokens';
import { buildApi } from '../../api/app';
import { loadConfig } from '../../runtime/config';
import { createLogger } from '../../runtime/logger';
import { createWorkingCalendar } from '../../domain/working-days';
import { birthIntake } from '../support/fixtures';
import { eventually, getJson, postJson, startStack, type Stack } from '../support/stack';

const commune = (provinceCode: string, communeCode: string) => ({ scope: 'COMMUNE' as const, provinceCode, communeCode });

/** What the console reads from the API: who I am, my lists, my dashboard, my saved views; and how the console itself is served. */
describe('the API behind the console', () => {
  let stack: Stack;
  let clerk48: string;
  const inDaNang = () =>
    birthIntake({ dossierNumber: `H48.20194-C-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`, jurisdiction: { provinceCode: '48', communeCode: '20194' }, procedures: { permanentResidence: false, healthInsurance: false }, residence: undefined, healthInsurance: undefined });

  beforeAll(async () => {
    stack = await startStack({ MANUAL_STEPS: 'CIVIL_STATUS@79/26743' });
    clerk48 = await signToken(stack.config, { role: 'CLERK', subject: 'dev-clerk-48-20194', agency: 'CIVIL_STATUS', jurisdiction: commune('48', '20194') });
  });
  afterAll(async () => {
    await stack.stop();
  });

  describe('serving the console', () => {
    it('answers every console path with the page, under a strict content security policy, and never caches API answers', async () => {
      const root = await fetch(`${stack.apiUrl}/`, { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/console/');
      for (const path of ['/console/', '/console/index.html', '/console/ho-so/H79.26743-ABC', '/console/giam-sat/ho-so?incident=true']) {
        const page = await fetch(`${stack.apiUrl}${path}`);
        expect(page.status).toBe(200);
        expect(page.headers.get('content-type')).toContain('text/html');
        expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
        expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
        expect(await page.text()).toContain('<div id="root">');
      }
      const asset = (await (await fetch(`${stack.apiUrl}/console/`)).text()).match(/\/console\/assets\/[^"]+\.js/)?.[0];
      const script = await fetch(`${stack.apiUrl}${asset}`);
      expect(script.status).toBe(200);
      expect(script.headers.get('cache-control')).toContain('immutable');
      const me = await fetch(`${stack.apiUrl}/v1/me`, { headers: { authorization: `Bearer ${stack.tokens.clerk}` } });
      expect(me.headers.get('cache-control')).toBe('no-store');
    });

    it('keeps the API closed: an unknown API path without a token is a 401, not the console page', async () => {
      expect((await getJson(`${stack.apiUrl}/v1/no-such-thing`)).status).toBe(401);
      expect((await getJson(`${stack.apiUrl}/v1/me`)).status).toBe(401);
      // Path tricks do not reach the files around the build.
      expect((await fetch(`${stack.apiUrl}/console/..%2F..%2Fpackage.json`)).headers.get('content-type')).toContain('text/html');
    });
  });

  it('offers the development identities with working tokens in development mode only', async () => {
    const options = await getJson(`${stack.apiUrl}/v1/session/sign-in-options`);
    expect(options.status).toBe(200);
    const names = options.body.developmentPrincipals.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['clerk', 'civilStatusOfficer', 'policeOfficer', 'socialSecurityOfficer', 'provinceSupervisor', 'nationalSupervisor', 'otherProvinceOfficer']));
    const police = options.body.developmentPrincipals.find((p: { name: string }) => p.name === 'policeOfficer');
    const me = await getJson(`${stack.apiUrl}/v1/me`, police.token);
    expect(me.body).toMatchObject({ role: 'AGENCY_OFFICER', agency: 'COMMUNE_POLICE', jurisdiction: { scope: 'COMMUNE', provinceCode: '79' } });
    expect(me.body.permissions).toEqual(expect.arrayContaining(['task.complete']));
    expect(me.body.permissions).not.toContain('supervision.act');

    const production = await buildApi({
      db: stack.db,
      temporal: stack.temporal,
      logger: createLogger({ level: 'silent' }),
      calendar: createWorkingCalendar(),
      config: loadConfig({
        ...process.env,
        LIEN_THONG_DEV_MODE: 'false',
        AUTH_JWT_SECRET: 'a-private-secret-of-at-least-thirty-two-characters',
        RECEIPT_CODE_KEY: 'a-private-receipt-code-key-of-32-characters',
      }),
    });
    const url = await production.listen({ host: '127.0.0.1', port: 0 });
    try {
      const offered = await getJson(`${url}/v1/session/sign-in-options`);
      expect(offered.status).toBe(200);
      expect(offered.body.developmentPrincipals).toEqual([]);
      // Nor do the development identities' tokens open this API.
      expect((await getJson(`${url}/v1/me`, police.token)).status).toBe(401);
    } finally {
      await production.close();
    }
  });

  describe("the clerk's list", () => {
    it('shows a desk its own commune only, an agency only dossiers it has a step in, searchable by number', async () => {
      const own = birthIntake({ procedures: { permanentResidence: false, healthInsurance: false }, residence: undefined, healthInsurance: undefined });
      const other = inDaNang();
      expect((await postJson(`${stack.apiUrl}/v1/dossiers`, own, stack.tokens.clerk)).status).toBe(201);
      expect((await postJson(`${stack.apiUrl}/v1/dossiers`, other, clerk48)).status).toBe(201);
      const list = (token: string, query = '') => getJson(`${stack.apiUrl}/v1/dossiers?pageSize=100${query}`, token).then((r) => r.body);
      const numbers = (body: { items: { dossierNumber: string }[] }) => body.items.map((d) => d.dossierNumber);

      // Searched by its number: other files' dossiers in the shared database cannot push it off the page.
      const sees = async (token: string, dossierNumber: string) => numbers(await list(token, `&q=${encodeURIComponent(dossierNumber.slice(4))}`)).includes(dossierNumber);
      expect(await sees(stack.tokens.clerk, own.dossierNumber)).toBe(true);
      expect(await sees(stack.tokens.clerk, other.dossierNumber)).toBe(false);
      expect(await sees(clerk48, other.dossierNumber)).toBe(true);
      expect(await sees(stack.tokens.otherProvinceOfficer, own.dossierNumber)).toBe(false);
      // No residence step in this dossier: the police have no business with it.
      expect(await sees(stack.tokens.policeOfficer, own.dossierNumber)).toBe(false);
      expect(await sees(stack.tokens.civilStatusOfficer, own.dossierNumber)).toBe(true);
      expect(await sees(stack.tokens.nationalSupervisor, own.dossierNumber)).toBe(true);
      expect(await sees(stack.tokens.nationalSupervisor, other.dossierNumber)).toBe(true);

      const part = own.dossierNumber.slice(4);
      const found = numbers(await list(stack.tokens.clerk, `&q=${encodeURIComponent(part)}`));
      expect(found).toContain(own.dossierNumber);
      expect(found.every((n) => n.includes(part))).toBe(true);
      // Active dossiers come before ended ones.
      const all = (await list(stack.tokens.clerk)).items as { completedAt: string | null }[];
      const firstEnded = all.findIndex((d) => d.completedAt !== null);
      if (firstEnded >= 0) expect(all.slice(firstEnded).every((d) => d.completedAt !== null)).toBe(true);
    });

    it('counts a dossier finished after its deadline as late, in the flag and in the filter alike', async () => {
      const intake = birthIntake({ procedures: { permanentResidence: false, healthInsurance: false }, residence: undefined, healthInsurance: undefined });
      expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
      const past = new Date(Date.now() - 86_400_000);
      await stack.db.dossier.update({ where: { dossierNumber: intake.dossierNumber }, data: { dueAt: past } });
      const find = async (query: string) => (await getJson(`${stack.apiUrl}/v1/dossiers?q=${intake.dossierNumber.slice(4)}${query}`, stack.tokens.clerk)).body.items as { overdue: boolean }[];
      expect((await find('&overdue=true'))[0]).toMatchObject({ overdue: true });
      expect(await find('&overdue=false')).toEqual([]);
      await stack.db.dossier.update({ where: { dossierNumber: intake.dossierNumber }, data: { completedAt: new Date(), status: 'WITHDRAWN' } });
      expect((await find('&overdue=true'))[0]).toMatchObject({ overdue: true });
      expect(await find('&overdue=false')).toEqual([]);
    });

    it('refuses a malformed filter field by field', async () => {
      const bad = await getJson(`${stack.apiUrl}/v1/dossiers?status=LOST&pageSize=1000&q=${'x'.repeat(65)}`, stack.tokens.clerk);
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['querystring.status', 'querystring.pageSize', 'querystring.q']));
    });

    it('says how many working days a step has left', async () => {
      const intake = birthIntake();
      expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
      const status = await eventually(async () => {
        const body = await stack.status(intake.dossierNumber);
        return body.steps[0].status === 'RUNNING' ? body : undefined;
      });
      expect(status.workingDaysLeft).toBeGreaterThanOrEqual(0);
      expect(status.steps[0].workingDaysLeft).toBeGreaterThanOrEqual(0);
      expect(status.steps[1].workingDaysLeft).toBeNull(); // not started: no deadline yet
    });
  });

  it("counts the inbox at a glance and narrows it to the tasks I hold", async () => {
    const intake = birthIntake();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    const inbox = (query = '') => getJson(`${stack.apiUrl}/v1/tasks?pageSize=100${query}`, stack.tokens.civilStatusOfficer).then((r) => r.body);
    const task = await eventually(async () => (await inbox(`&dossierNumber=${intake.dossierNumber}`)).items[0]);
    const before = (await inbox()).counts;
    expect((await postJson(`${stack.apiUrl}/v1/tasks/${task.id}/claim`, {}, stack.tokens.civilStatusOfficer)).status).toBe(200);
    const after = await inbox('&mine=true');
    expect(after.counts).toMatchObject({ open: before.open - 1, claimed: before.claimed + 1, mine: before.mine + 1 });
    expect(after.items.map((t: { id: string }) => t.id)).toContain(task.id);
    expect(after.items.every((t: { claimedBy: string }) => t.claimedBy === 'dev-civil-status-79-26743')).toBe(true);
  });

  it("gives a supervisor the dashboard of the supervisor's own scope", async () => {
    const other = inDaNang();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, other, clerk48)).status).toBe(201);
    const national = (await getJson(`${stack.apiUrl}/v1/supervision/summary`, stack.tokens.nationalSupervisor)).body;
    const province = (await getJson(`${stack.apiUrl}/v1/supervision/summary`, stack.tokens.provinceSupervisor)).body;
    expect(national.daily).toHaveLength(14);
    const today = national.daily[13];
    expect(today.received).toBeGreaterThanOrEqual(province.daily[13].received + 1);
    expect(province.byCommune.every((c: { provinceCode: string }) => c.provinceCode === '79')).toBe(true);
    expect(national.open).toBeGreaterThanOrEqual(province.open);
    expect(national.onTimeShare === null || (national.onTimeShare >= 0 && national.onTimeShare <= 1)).toBe(true);
    expect((await getJson(`${stack.apiUrl}/v1/supervision/summary`, stack.tokens.clerk)).status).toBe(403);
  });

  it('previews a bulk decision without acting on anything, and decides exactly what the preview showed', async () => {
    const other = inDaNang();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, other, clerk48)).status).toBe(201);
    const dossier = await stack.db.dossier.findUniqueOrThrow({ where: { dossierNumber: other.dossierNumber } });
    const opened = await Promise.all(
      ['BIRTH_REGISTRATION', 'PERSONAL_ID'].map((step) => stack.db.incident.create({ data: { id: randomUUID(), dossierId: dossier.id, step, agency: 'CIVIL_STATUS', kind: 'STEP', lastError: 'HTTP 503' } })),
    );
    const decide = (body: object) => postJson(`${stack.apiUrl}/v1/supervision/incidents/decisions`, { decision: 'RETRY', reason: 'xem trước', dryRun: true, ...body }, stack.tokens.nationalSupervisor);
    const preview = await decide({ filter: { provinceCode: '48', communeCode: '20194' } });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ accepted: 0 });
    expect(preview.body.incidentIds).toEqual(expect.arrayContaining(opened.map((i) => i.id)));
    expect(preview.body.matched).toBe(preview.body.incidentIds.length);
    // Another commune of the province is not reached; the confirmed ids are all that is decided.
    expect((await decide({ filter: { provinceCode: '48', communeCode: '20195' } })).body.matched).toBe(0);
    expect((await decide({ filter: { provinceCode: '48' }, incidentIds: [opened[0]!.id] })).body.incidentIds).toEqual([opened[0]!.id]);
    // A province supervisor elsewhere reaches none of them, whatever ids it names.
    expect((await postJson(`${stack.apiUrl}/v1/supervision/incidents/decisions`, { filter: {}, decision: 'RETRY', reason: 'xem trước', dryRun: true, incidentIds: opened.map((i) => i.id) }, stack.tokens.provinceSupervisor)).body.matched).toBe(0);
    await stack.db.incident.deleteMany({ where: { id: { in: opened.map((i) => i.id) } } });
    expect(await stack.db.auditEntry.count({ where: { action: 'incident.retry', actorSubject: 'dev-supervisor-national', detail: { path: ['reason'], equals: 'xem trước' } } })).toBe(0);
  });

  describe('saved views', () => {
    const views = (token: string) => getJson(`${stack.apiUrl}/v1/me/saved-views`, token).then((r) => r.body.views as { id: string; name: string }[]);
    const save = (token: string, name: string, query = 'overdue=true&agency=COMMUNE_POLICE') => postJson(`${stack.apiUrl}/v1/me/saved-views`, { list: 'supervision-dossiers', name, query }, token);

    it('keeps each user their own, one name per list', async () => {
      const created = await save(stack.tokens.provinceSupervisor, 'Công an quá hạn');
      expect(created.status).toBe(201);
      const again = await save(stack.tokens.provinceSupervisor, 'Công an quá hạn', 'incident=true');
      expect(again.status).toBe(409);
      expect(again.body.errors).toEqual([{ field: 'body.name', reason: 'already used for this list' }]);
      // Another supervisor neither sees it nor deletes it.
      expect((await views(stack.tokens.nationalSupervisor)).map((v) => v.id)).not.toContain(created.body.id);
      const foreign = await fetch(`${stack.apiUrl}/v1/me/saved-views/${created.body.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${stack.tokens.nationalSupervisor}`, 'idempotency-key': 'x1' } });
      expect(foreign.status).toBe(404);
      const mine = await fetch(`${stack.apiUrl}/v1/me/saved-views/${created.body.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${stack.tokens.provinceSupervisor}` } });
      expect(mine.status).toBe(204);
      expect((await views(stack.tokens.provinceSupervisor)).map((v) => v.id)).not.toContain(created.body.id);
    });

    it('refuses what is not a query string, and more views than a user keeps', async () => {
      const hostile = await save(stack.tokens.clerk, 'x', 'q=<script>alert(1)</script>');
      expect(hostile.status).toBe(400);
      expect(hostile.body.errors[0].field).toBe('body.query');
      const empty = await save(stack.tokens.clerk, '   ');
      expect(empty.status).toBe(400);
      const subject = await signToken(stack.config, { role: 'CLERK', subject: `dev-clerk-many-${Date.now()}`, agency: 'CIVIL_STATUS', jurisdiction: commune('79', '26743') });
      for (let i = 0; i < 50; i++) expect((await save(subject, `v${i}`)).status).toBe(201);
      const over = await save(subject, 'v50');
      expect(over.status).toBe(409);
      expect((await views(subject)).length).toBe(50);
    });
  });
});
