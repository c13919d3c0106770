import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/app';
import { readPublicResult } from '../../api/dossier-results';
import { receiptCodes } from '../../api/receipt-codes';
import { createWorkingCalendar } from '../../domain/working-days';
import { createDatabase } from '../../runtime/database';
import { createLogger } from '../../runtime/logger';
import { birthIntake, deathIntake } from '../support/fixtures';
import { PDFDocument } from 'pdf-lib';
import { pdfText } from '../support/pdf-text';
import { eventually, postJson, startStack, type Stack } from '../support/stack';

/**
 * The citizen's electronic results over real HTTP: a completed group's extract and receipt download with
 * the dossier number and receipt code, the same bytes each time, nothing for a wrong code that an
 * unknown number would not get too, nothing yet for a running group; staff download the full copy.
 */
describe('citizen results: the PDFs of a completed group, by receipt code and from the console', () => {
  let stack: Stack;
  /** An API of its own on the same stack, logging everything (trace) into `logged`. */
  let logged = '';
  let api: FastifyInstance;
  let apiUrl: string;
  const limit = 6;

  beforeAll(async () => {
    // The police work by hand: a birth with residence waits in their inbox (a running group); without, it completes.
    stack = await startStack({ API_TRUST_PROXY: '127.0.0.1', PUBLIC_LOOKUP_LIMIT: String(limit), PUBLIC_LOOKUP_WINDOW: '1m', MANUAL_STEPS: 'COMMUNE_POLICE' });
    const sink = new Writable({ write: (chunk, _encoding, done) => ((logged += String(chunk)), done()) });
    api = await buildApi({
      db: stack.db,
      temporal: stack.temporal,
      config: stack.config,
      logger: createLogger({ level: 'trace' }, sink),
      calendar: createWorkingCalendar({ cutoffHour: stack.config.INTAKE_CUTOFF_HOUR }),
    });
    apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });
  }, 240_000);
  afterAll(async () => {
    await api?.close();
    await stack?.stop();
  });

  let addresses = 0;
  /** A client address per request unless one is given: the allowance is tested on its own. */
  const nextAddress = () => `10.9.${(++addresses >> 8) & 255}.${addresses & 255}`;
  const download = async (document: string, body: unknown, address = nextAddress()) => {
    const response = await fetch(`${apiUrl}/v1/public/dossier-results/${document}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
  };
  const lookup = async (body: unknown, address = nextAddress()) => {
    const response = await fetch(`${apiUrl}/v1/public/dossier-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
  const file = async (intake: ReturnType<typeof birthIntake> | ReturnType<typeof deathIntake>) => {
    const answer = await postJson(`${apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    expect(answer.status).toBe(201);
    return answer.body.receiptCode as string;
  };

  /** A birth without residence (nothing for the police): it completes by itself. */
  let completed: { intake: ReturnType<typeof birthIntake>; receiptCode: string };
  beforeAll(async () => {
    const intake = birthIntake({ procedures: { permanentResidence: false, healthInsurance: true } });
    delete intake.residence;
    completed = { intake, receiptCode: await file(intake) };
    expect((await stack.untilEnded(intake.dossierNumber)).status).toBe('COMPLETED');
  }, 120_000);

  it('a running group has no results yet: a clear 409 to the code holder, and the lookup lists none', async () => {
    const intake = birthIntake();
    const receiptCode = await file(intake);
    await eventually(async () => ((await stack.status(intake.dossierNumber)).steps.some((s: { step: string; status: string }) => s.step === 'PERMANENT_RESIDENCE' && s.status === 'RUNNING') ? true : undefined), 60_000);
    const answer = await download('extract', { dossierNumber: intake.dossierNumber, receiptCode });
    expect(answer.status).toBe(409);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.parse(text(answer.bytes))).toMatchObject({ status: 409, title: 'Results not available' });
    const status = await lookup({ dossierNumber: intake.dossierNumber, receiptCode });
    expect(status.status).toBe(200);
    expect(status.body.results).toEqual([]);
    // Staff get the same answer: nothing is issued before the group ends.
    const staff = await fetch(`${apiUrl}/v1/dossiers/${encodeURIComponent(intake.dossierNumber)}/results/extract`, { headers: { authorization: `Bearer ${stack.tokens.clerk}` } });
    expect(staff.status).toBe(409);
  });

  it("downloads the completed group's extract with the receipt code: a PDF with its font embedded, the same bytes twice, the receipt holder's copy", async () => {
    const { intake, receiptCode } = completed;
    const query = { dossierNumber: intake.dossierNumber, receiptCode: ` ${receiptCode.slice(0, 4).toLowerCase()}-${receiptCode.slice(4)} ` };
    const status = await lookup(query);
    expect(status.body).toMatchObject({
      results: ['extract', 'receipt'],
      documentsToBring: ['REQUESTER_IDENTITY', 'AUTHORIZATION_LETTER'],
      office: { name: 'Bộ phận Một cửa, Ủy ban nhân dân phường Bến Thành', address: expect.stringContaining('Thành phố Hồ Chí Minh') },
    });

    const first = await download('extract', query);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/pdf');
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('content-disposition')).toBe(`attachment; filename="trich-luc-${intake.dossierNumber}.pdf"`);
    expect(text(first.bytes.slice(0, 5))).toBe('%PDF-');
    const second = await download('extract', query);
    expect(Buffer.compare(Buffer.from(second.bytes), Buffer.from(first.bytes))).toBe(0);

    // The font is in the file (a subset of DejaVu Sans), and the words drawn with it read back in Vietnamese.
    const doc = await PDFDocument.load(first.bytes);
    expect(doc.getCreationDate()?.toISOString().slice(0, 19)).toBe(new Date((await stack.status(intake.dossierNumber)).completedAt).toISOString().slice(0, 19));
    expect(text(first.bytes)).toContain('/FontFile2');
    expect(text(first.bytes)).toContain('/BaseFont /LTHONG+DejaVuSans');
    const shown = await pdfText(first.bytes);
    expect(shown).toContain('TRÍCH LỤC ĐĂNG KÝ KHAI SINH (bản điện tử)');
    expect(shown).toContain('Bộ phận Một cửa, Ủy ban nhân dân phường Bến Thành');
    expect(shown).not.toContain('\uFFFD');

    // The code holder's copy: the act numbers, the ID and card numbers by their last four, no names.
    const steps = (await stack.status(intake.dossierNumber)).steps as { step: string; result: Record<string, string> }[];
    const resultOf = (step: string) => steps.find((s) => s.step === step)!.result;
    expect(shown).toContain(resultOf('BIRTH_REGISTRATION').registrationNumber!);
    const personalId = resultOf('PERSONAL_ID').personalIdNumber!;
    const card = resultOf('CHILD_HEALTH_INSURANCE').cardNumber!;
    expect(shown).toContain(`••••••••${personalId.slice(-4)}`);
    expect(shown).toContain(card.slice(-4));
    for (const personal of [personalId, card, intake.child.fullName, intake.mother!.fullName, intake.father!.fullName, intake.mother!.personalIdNumber, intake.child.placeOfBirth]) {
      expect(shown).not.toContain(personal);
    }

    const receipt = await download('receipt', query);
    expect(receipt.status).toBe(200);
    const receiptText = await pdfText(receipt.bytes);
    expect(receiptText).toContain('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
    expect(receiptText).toContain(intake.dossierNumber);
    expect(receiptText).not.toContain(intake.requester.fullName);
    expect(receiptText).not.toContain(receiptCode);
  });

  it('staff download the full copy from the console: the name, the ID number and the card, again the same bytes', async () => {
    const { intake } = completed;
    const url = `${apiUrl}/v1/dossiers/${encodeURIComponent(intake.dossierNumber)}/results/extract`;
    const get = async () => {
      const response = await fetch(url, { headers: { authorization: `Bearer ${stack.tokens.clerk}` } });
      expect(response.status).toBe(200);
      return new Uint8Array(await response.arrayBuffer());
    };
    const [a, b] = [await get(), await get()];
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    const shown = await pdfText(a);
    const steps = (await stack.status(intake.dossierNumber)).steps as { step: string; result: Record<string, string> }[];
    expect(shown).toContain(intake.child.fullName);
    expect(shown).toContain(steps.find((s) => s.step === 'PERSONAL_ID')!.result.personalIdNumber!);
    expect(shown).toContain(steps.find((s) => s.step === 'CHILD_HEALTH_INSURANCE')!.result.cardNumber!);
    // Without a token, nothing; an officer of another province cannot read the dossier at all.
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${stack.tokens.otherProvinceOfficer}` } })).status).toBe(404);
  });

  it('refuses a wrong code, an unknown number and another dossier\'s code with the lookup\'s own 404, doing the same work for each', async () => {
    const { intake, receiptCode } = completed;
    const wrong = receiptCode.startsWith('2') ? `3${receiptCode.slice(1)}` : `2${receiptCode.slice(1)}`;
    const otherIntake = birthIntake();
    const otherCode = await file(otherIntake);
    const refusals = await Promise.all([
      download('extract', { dossierNumber: intake.dossierNumber, receiptCode: wrong }),
      download('extract', { dossierNumber: 'H79.26743-NEVER-FILED-9', receiptCode }),
      download('receipt', { dossierNumber: intake.dossierNumber, receiptCode: otherCode }),
    ]);
    const lookedUp = await fetch(`${apiUrl}/v1/public/dossier-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': nextAddress() },
      body: JSON.stringify({ dossierNumber: intake.dossierNumber, receiptCode: wrong }),
    });
    const lookupText = await lookedUp.text();
    for (const refusal of refusals) {
      expect(refusal.status).toBe(404);
      expect(refusal.headers.get('content-type')).toContain('application/problem+json');
      expect(text(refusal.bytes)).toBe(lookupText);
    }
    // An unknown document is a 400 on the path, before any dossier is read.
    expect((await download('birth-certificate', { dossierNumber: intake.dossierNumber, receiptCode })).status).toBe(400);

    // The same work whatever is wrong: one read of the key, never the dossier itself.
    const db = createDatabase(stack.config.DATABASE_URL!, 1);
    const codes = receiptCodes(stack.config.RECEIPT_CODE_KEY!);
    const keyReads = jest.spyOn(db, '$queryRaw');
    const dossierReads = jest.spyOn(db.dossier, 'findUnique');
    try {
      for (const [dossierNumber, code] of [
        [intake.dossierNumber, wrong],
        ['H79.26743-NEVER-FILED-9', receiptCode],
      ] as const) {
        keyReads.mockClear();
        dossierReads.mockClear();
        await expect(readPublicResult(db, codes, { dossierNumber, receiptCode: code }, 'extract')).rejects.toMatchObject({ status: 404 });
        expect(keyReads).toHaveBeenCalledTimes(1);
        expect(dossierReads).not.toHaveBeenCalled();
      }
    } finally {
      await db.$disconnect();
    }
  });

  it('counts the downloads and the lookup against one allowance per address: 429 with Retry-After past it', async () => {
    const { intake, receiptCode } = completed;
    const address = '10.77.0.1';
    const query = { dossierNumber: intake.dossierNumber, receiptCode };
    for (let i = 0; i < limit / 2; i += 1) expect((await lookup(query, address)).status).toBe(200);
    for (let i = 0; i < limit / 2; i += 1) expect((await download(i % 2 ? 'receipt' : 'extract', query, address)).status).toBe(200);
    const refused = await download('extract', query, address);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await lookup(query, address)).status).toBe(429);
    // Another address is not held back.
    expect((await download('extract', query)).status).toBe(200);
  });

  it('never writes the personal data or the receipt code to the log', async () => {
    const { intake, receiptCode } = completed;
    // Requests of every kind went through this API above; make sure the log saw them.
    expect(logged).toContain('/v1/public/dossier-results/extract');
    const steps = (await stack.status(intake.dossierNumber)).steps as { step: string; result: Record<string, string> }[];
    for (const personal of [
      intake.child.fullName,
      intake.mother!.fullName,
      intake.mother!.personalIdNumber,
      intake.father!.personalIdNumber,
      steps.find((s) => s.step === 'PERSONAL_ID')!.result.personalIdNumber!,
      steps.find((s) => s.step === 'CHILD_HEALTH_INSURANCE')!.result.cardNumber!,
      receiptCode,
      `${receiptCode.slice(0, 4)}-${receiptCode.slice(4)}`,
    ]) {
      expect(logged).not.toContain(personal);
    }
  });
});
