import crypto from 'node:crypto';
import { signToken } from '../../api/auth/tokens';
import { readPublicDossierStatus } from '../../api/public-dossier-status';
import { receiptCodes } from '../../api/receipt-codes';
import { buildApi } from '../../api/app';
import { receiptCodeFormat } from '../../domain/receipt-code';
import { createWorkingCalendar } from '../../domain/working-days';
import { ConfigError, loadConfig } from '../../runtime/config';
import { createDatabase } from '../../runtime/database';
import { createLogger } from '../../runtime/logger';
import { birthIntake } from '../support/fixtures';
import { eventually, postJson, setAgencyFaults, startStack, type Stack } from '../support/stack';

/**
 * The citizen's lookup over real HTTP: the receipt code issued at intake opens the dossier's steps and
 * dates and nothing else; every refusal looks the same; each address gets a few lookups a minute.
 */
describe('public dossier status: the receipt code at intake and the citizen lookup', () => {
  let stack: Stack;
  const limit = 5;
  beforeAll(async () => {
    // The API behind a proxy on this host: each test's requests name their own client address.
    stack = await startStack({ API_TRUST_PROXY: '127.0.0.1', PUBLIC_LOOKUP_LIMIT: String(limit), PUBLIC_LOOKUP_WINDOW: '1m' });
  });
  afterAll(async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { supplementRate: 0 });
    await stack.stop();
  });

  let addresses = 0;
  /** A fresh client address for each lookup unless one is given: the rate limit is tested on its own. */
  const nextAddress = () => {
    addresses += 1;
    return `10.${(addresses >> 16) & 255}.${(addresses >> 8) & 255}.${addresses & 255}`;
  };
  const lookup = async (body: unknown, address = nextAddress(), raw?: string) => {
    const response = await fetch(`${stack.apiUrl}/v1/public/dossier-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: raw ?? JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const file = async (overrides: Parameters<typeof birthIntake>[0] = {}) => {
    const intake = birthIntake(overrides);
    const answer = await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    expect(answer.status).toBe(201);
    return { intake, receiptCode: answer.body.receiptCode as string, answer: answer.body };
  };
  const storedRow = async (dossierNumber: string) =>
    (await stack.db.$queryRaw<{ row: string; hash: Buffer | null }[]>`
      SELECT row_to_json(d)::text AS row, d.receipt_code_hash AS hash FROM dossier d WHERE d.dossier_number = ${dossierNumber}`)[0]!;

  it('issues a code at intake, stores only its keyed hash, and keeps it through a repeated intake', async () => {
    const { intake, receiptCode, answer } = await file();
    expect(receiptCode).toMatch(receiptCodeFormat);
    expect(answer).toMatchObject({ dossierNumber: intake.dossierNumber, receivedAt: expect.any(String), dueAt: expect.any(String) });
    const before = await storedRow(intake.dossierNumber);
    expect(before.hash).toHaveLength(32);
    expect(before.row).not.toContain(receiptCode);
    expect(before.row).not.toContain(`${receiptCode.slice(0, 4)}-${receiptCode.slice(4)}`);
    // Nor anywhere else the intake wrote: its events, the audit log, the idempotency store.
    const elsewhere = await stack.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM (
        SELECT detail::text AS t FROM dossier_event UNION ALL SELECT detail::text FROM audit_entry UNION ALL SELECT coalesce(response, '') FROM idempotent_request
      ) x WHERE t LIKE ${`%${receiptCode}%`}`;
    expect(Number(elsewhere[0]!.n)).toBe(0);

    // The same intake again (a lost answer, a double click): the first code stands, and is not shown again.
    const repeat = await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    expect(repeat.status).toBe(200);
    expect(repeat.body.receiptCode).toBeNull();
    expect((await storedRow(intake.dossierNumber)).hash).toEqual(before.hash);
    expect((await lookup({ dossierNumber: intake.dossierNumber, receiptCode })).status).toBe(200);
    // The clerk's view says a code exists and since when, never the code.
    const clerkView = await stack.status(intake.dossierNumber);
    expect(clerkView.receiptCodeIssuedAt).toEqual(expect.any(String));
    expect(JSON.stringify(clerkView)).not.toContain(receiptCode);
  });

  it('shows the steps, their dates and what the citizen must do, and no personal data', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { supplementRate: 1 });
    const { intake, receiptCode } = await file();
    // As a citizen types it: small letters, a dash, spaces.
    const typed = ` ${receiptCode.slice(0, 4).toLowerCase()}-${receiptCode.slice(4)} `;
    const waiting = await eventually(async () => {
      const answer = await lookup({ dossierNumber: intake.dossierNumber, receiptCode: typed });
      expect(answer.status).toBe(200);
      const body = JSON.parse(answer.text);
      // The step waits as soon as the agency asked; its deadline for the citizen is recorded a moment later.
      const asked = body.steps.some((s: { status: string; supplementDueAt: string | null }) => s.status === 'WAITING_FOR_CITIZEN' && s.supplementDueAt);
      return asked ? { body, text: answer.text, headers: answer.headers } : undefined;
    }, 60_000);
    await setAgencyFaults(stack.simulatorUrl, 'police', { supplementRate: 0 });

    const { body, text, headers } = waiting;
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ dossierNumber: intake.dossierNumber, procedureGroup: 'BIRTH', status: 'IN_PROGRESS', citizenAction: 'BRING_SUPPLEMENT' });
    expect(body.steps.map((s: { step: string }) => s.step)).toEqual(['BIRTH_REGISTRATION', 'PERSONAL_ID', 'PERMANENT_RESIDENCE', 'CHILD_HEALTH_INSURANCE']);
    const residence = body.steps.find((s: { step: string }) => s.step === 'PERMANENT_RESIDENCE');
    expect(residence).toMatchObject({ agency: 'COMMUNE_POLICE', status: 'WAITING_FOR_CITIZEN', citizenAction: 'BRING_SUPPLEMENT', supplementDueAt: expect.any(String) });
    expect(body.steps[0]).toMatchObject({ status: 'COMPLETED', citizenAction: 'NONE', startedAt: expect.any(String), finishedAt: expect.any(String) });

    // Step statuses and dates only: no field but these, and none of the intake's or the agencies' values.
    const keys = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object')
        for (const [k, v] of Object.entries(value)) {
          keys.add(k);
          walk(v);
        }
    };
    walk(body);
    expect([...keys].sort()).toEqual(
      [
        ...['agency', 'citizenAction', 'completedAt', 'dossierNumber', 'dueAt', 'finishedAt', 'procedureGroup', 'receivedAt', 'startedAt', 'status', 'step', 'steps', 'supplementDueAt'],
        // The desk (its name, address and hours), what to bring to it, and the result documents ready.
        ...['office', 'name', 'address', 'hours', 'documentsToBring', 'results'],
        // The appointment now (an apology's new date) with the changes that moved it, and a stopped group still undoing.
        ...['appointmentAt', 'appointmentChanges', 'stopping'],
      ].sort(),
    );
    const personal = [intake.child.fullName, intake.mother!.fullName, intake.father!.fullName, intake.mother!.personalIdNumber, intake.father!.personalIdNumber, intake.birthCertificate.number, intake.residence!.line, intake.child.dateOfBirth];
    for (const value of personal) expect(text).not.toContain(value);
    // Nor the agencies' results (registration number, ID number, card): only dates may coincide.
    const results = (await stack.db.dossierStep.findMany({ where: { dossier: { dossierNumber: intake.dossierNumber } } })).flatMap((s) => Object.values((s.result ?? {}) as Record<string, unknown>));
    const identifiers = results.filter((v): v is string => typeof v === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(v));
    expect(identifiers.length).toBeGreaterThan(2);
    for (const value of identifiers) expect(text).not.toContain(value);
  });

  it('refuses a wrong code, an unknown number and a dossier without a code with the same answer', async () => {
    const { intake, receiptCode } = await file();
    const other = await file();
    const withoutCode = await file();
    // As a dossier received before receipt codes existed.
    await stack.db.dossier.update({ where: { dossierNumber: withoutCode.intake.dossierNumber }, data: { receiptCodeHash: null, receiptCodeIssuedAt: null } });
    const wrong = receiptCode.startsWith('2') ? `3${receiptCode.slice(1)}` : `2${receiptCode.slice(1)}`;

    const refusals = await Promise.all([
      lookup({ dossierNumber: intake.dossierNumber, receiptCode: wrong }),
      lookup({ dossierNumber: 'H79.26743-NEVER-FILED-1', receiptCode }),
      lookup({ dossierNumber: withoutCode.intake.dossierNumber, receiptCode: withoutCode.receiptCode }),
      // A real code, of another dossier.
      lookup({ dossierNumber: intake.dossierNumber, receiptCode: other.receiptCode }),
    ]);
    for (const refusal of refusals) {
      expect(refusal.status).toBe(404);
      expect(refusal.headers.get('content-type')).toContain('application/problem+json');
      expect(refusal.text).toBe(refusals[0]!.text);
      expect(refusal.text).not.toContain(intake.dossierNumber);
    }
    expect(JSON.parse(refusals[0]!.text)).toMatchObject({ status: 404, title: 'Not found' });
  });

  it('does the same work to refuse an unknown number as an existing dossier: one read of one row, one HMAC, one comparison of 32-byte digests', async () => {
    const { intake, receiptCode } = await file();
    const withoutCode = await file();
    await stack.db.dossier.update({ where: { dossierNumber: withoutCode.intake.dossierNumber }, data: { receiptCodeHash: null, receiptCodeIssuedAt: null } });
    const wrong = receiptCode.startsWith('2') ? `3${receiptCode.slice(1)}` : `2${receiptCode.slice(1)}`;
    const codes = receiptCodes(stack.config.RECEIPT_CODE_KEY!);
    // A client of its own: the stack's is shared with the worker and relays, whose queries are not the lookup's.
    const db = createDatabase(stack.config.DATABASE_URL!, 1);
    const hmacs = jest.spyOn(crypto, 'createHmac');
    const comparisons = jest.spyOn(crypto, 'timingSafeEqual');
    const reads = jest.spyOn(db, '$queryRaw');
    const stepReads = jest.spyOn(db.dossier, 'findUniqueOrThrow');
    /** What one refused lookup did. */
    const workOf = async (dossierNumber: string, code: string) => {
      for (const spy of [hmacs, comparisons, reads, stepReads]) spy.mockClear();
      await expect(readPublicDossierStatus(db, codes, { dossierNumber, receiptCode: code })).rejects.toMatchObject({ status: 404 });
      const rows = await Promise.all(reads.mock.results.map((r) => r.value as Promise<{ id: string; digest: Uint8Array }[]>));
      return {
        hmacs: hmacs.mock.calls.length,
        compared: comparisons.mock.calls.map(([a, b]) => [(a as Uint8Array).length, (b as Uint8Array).length]),
        reads: rows.map((r) => r.map((row) => ({ columns: Object.keys(row).sort(), digest: row.digest.length }))),
        stepReads: stepReads.mock.calls.length,
      };
    };
    try {
      const existing = await workOf(intake.dossierNumber, wrong);
      expect(existing).toEqual({ hmacs: 1, compared: [[32, 32]], reads: [[{ columns: ['digest', 'id'], digest: 32 }]], stepReads: 0 });
      expect(await workOf('H79.26743-NEVER-FILED-3', wrong)).toEqual(existing);
      expect(await workOf(withoutCode.intake.dossierNumber, withoutCode.receiptCode)).toEqual(existing);
      // And the code that matches opens the steps, through the same read.
      await expect(readPublicDossierStatus(db, codes, { dossierNumber: intake.dossierNumber, receiptCode })).resolves.toMatchObject({ dossierNumber: intake.dossierNumber });
    } finally {
      for (const spy of [hmacs, comparisons, reads, stepReads]) spy.mockRestore();
      await db.$disconnect();
    }
  });

  it('limits each client address, counting refused and malformed lookups too, with a 429 problem and Retry-After', async () => {
    const address = '198.51.100.7';
    for (let i = 0; i < limit - 1; i += 1) expect((await lookup({ dossierNumber: 'H79.26743-NEVER-FILED-2', receiptCode: 'ABCD2345' }, address)).status).toBe(404);
    expect((await lookup({ dossierNumber: '' }, address)).status).toBe(400);
    const refused = await lookup({ dossierNumber: 'H79.26743-NEVER-FILED-2', receiptCode: 'ABCD2345' }, address);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.parse(refused.text)).toMatchObject({ status: 429, title: 'Too many requests' });
    // Another citizen is not held up by this one.
    expect((await lookup({ dossierNumber: 'H79.26743-NEVER-FILED-2', receiptCode: 'ABCD2345' }, '198.51.100.8')).status).toBe(404);
  });

  it('refuses malformed and hostile input with a 400 naming the field', async () => {
    const field = async (body: unknown, raw?: string) => {
      const answer = await lookup(body, undefined, raw);
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      return (JSON.parse(answer.text).errors ?? []).map((e: { field: string }) => e.field);
    };
    expect(await field({ dossierNumber: 'H79.26743-X1234' })).toContain('body.receiptCode');
    expect(await field({ receiptCode: 'ABCD2345' })).toContain('body.dossierNumber');
    expect(await field({ dossierNumber: 'H79.26743-X1234', receiptCode: 'x'.repeat(100_000) })).toContain('body.receiptCode');
    expect(await field({ dossierNumber: 'H'.repeat(100_000), receiptCode: 'ABCD2345' })).toContain('body.dossierNumber');
    // Letters outside the alphabet, look-alikes from other scripts, a code too short.
    expect(await field({ dossierNumber: 'H79.26743-X1234', receiptCode: 'ABCU2345' })).toContain('body.receiptCode');
    expect(await field({ dossierNumber: 'H79.26743-X1234', receiptCode: 'АВСD2345' })).toContain('body.receiptCode');
    expect(await field({ dossierNumber: 'H79.26743-X1234', receiptCode: 'ABC2345' })).toContain('body.receiptCode');
    expect(await field({ dossierNumber: 'Hồ sơ 1', receiptCode: 'ABCD2345' })).toContain('body.dossierNumber');
    expect(await field({ dossierNumber: 'H79.26743-X1234', receiptCode: 12345678 })).toContain('body.receiptCode');
    expect((await lookup(undefined, undefined, '{"dossierNumber":')).status).toBe(400);
    expect((await lookup(undefined, undefined, JSON.stringify({ dossierNumber: 'H79.26743-X\u0000', receiptCode: 'ABCD2345' }))).status).toBe(400);
  });

  it("lets the commune's clerk issue a new code, which voids the previous one, audited without the code", async () => {
    const { intake, receiptCode } = await file();
    const path = `${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}/receipt-code`;
    const reissue = async (token: string, key?: string) => {
      const response = await fetch(path, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...(key ? { 'idempotency-key': key } : {}) } });
      return { status: response.status, body: (await response.json()) as { receiptCode: string } };
    };
    const first = await reissue(stack.tokens.clerk, 'reprint-receipt-0001');
    expect(first.status).toBe(201);
    expect(first.body.receiptCode).toMatch(receiptCodeFormat);
    expect(first.body.receiptCode).not.toBe(receiptCode);
    expect((await lookup({ dossierNumber: intake.dossierNumber, receiptCode })).status).toBe(404);
    expect((await lookup({ dossierNumber: intake.dossierNumber, receiptCode: first.body.receiptCode })).status).toBe(200);
    // Not replayed from a store: the same key again issues another code (the answer is kept nowhere).
    const again = await reissue(stack.tokens.clerk, 'reprint-receipt-0001');
    expect(again.status).toBe(201);
    expect(again.body.receiptCode).not.toBe(first.body.receiptCode);
    expect((await lookup({ dossierNumber: intake.dossierNumber, receiptCode: first.body.receiptCode })).status).toBe(404);

    const entries = await stack.db.auditEntry.findMany({ where: { dossierNumber: intake.dossierNumber, action: 'dossier.issueReceiptCode' } });
    expect(entries).toHaveLength(2);
    expect(JSON.stringify(entries.map((e) => e.detail))).not.toContain(first.body.receiptCode);
    expect(entries.map((e) => e.detail)).toEqual([{ replaced: true }, { replaced: true }]);

    // Only the desk of the dossier's commune.
    expect((await reissue(stack.tokens.policeOfficer)).status).toBe(403);
    const otherDesk = await signToken(stack.config, { role: 'CLERK', subject: 'dev-clerk-48-20194', agency: 'CIVIL_STATUS', jurisdiction: { scope: 'COMMUNE', provinceCode: '48', communeCode: '20194' } });
    expect((await reissue(otherDesk)).status).toBe(404);

    // A dossier received before receipt codes gets its first one the same way.
    const old = await file();
    await stack.db.dossier.update({ where: { dossierNumber: old.intake.dossierNumber }, data: { receiptCodeHash: null, receiptCodeIssuedAt: null } });
    const response = await fetch(`${stack.apiUrl}/v1/dossiers/${old.intake.dossierNumber}/receipt-code`, { method: 'POST', headers: { authorization: `Bearer ${stack.tokens.clerk}` } });
    const fresh = ((await response.json()) as { receiptCode: string }).receiptCode;
    expect((await lookup({ dossierNumber: old.intake.dossierNumber, receiptCode: fresh })).status).toBe(200);
  });

  it('is not started without a private receipt-code key outside development mode', async () => {
    const production = { ...process.env, LIEN_THONG_DEV_MODE: 'false', AUTH_JWT_SECRET: 'a-private-secret-of-at-least-thirty-two-characters' };
    const config = loadConfig(production);
    expect(config.RECEIPT_CODE_KEY).toBeUndefined();
    await expect(buildApi({ db: stack.db, temporal: stack.temporal, logger: createLogger({ level: 'silent' }), calendar: createWorkingCalendar(), config })).rejects.toThrow(ConfigError);
    expect(() => loadConfig({ ...production, RECEIPT_CODE_KEY: 'lien-thong-development-only-receipt-code-key' })).toThrow(/RECEIPT_CODE_KEY/);
    expect(() => loadConfig({ ...production, API_TRUST_PROXY: 'everyone' })).toThrow(/API_TRUST_PROXY/);
  });
});
