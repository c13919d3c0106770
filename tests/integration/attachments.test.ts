import { mkdtempSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkingCalendar } from '../../domain/working-days';
import { buildApi } from '../../api/app';
import { sweepOrphanAttachments } from '../../api/attachments';
import { createLogger } from '../../runtime/logger';
import { contentKey, diskObjectStore } from '../../runtime/object-store';
import { s3ObjectStore } from '../../runtime/s3-object-store';
import { freePort } from '../support/free-port';
import { birthIntake } from '../support/fixtures';
import { postJson, startStack, type Stack } from '../support/stack';

jest.setTimeout(180_000);

const dir = mkdtempSync(join(tmpdir(), 'attachments-'));
let stack: Stack;
let dossierNumber: string;
let dossierId: string;

const pdf = (text: string) => Buffer.from(`%PDF-1.7\n${text}\n%%EOF`);
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const path = (n = dossierNumber) => `/v1/dossiers/${encodeURIComponent(n)}/attachments`;

async function upload(body: Buffer, options: { type?: string; documentType?: string; token?: string; key?: string; base?: string; name?: string } = {}) {
  const response = await fetch(`${options.base ?? stack.apiUrl}${path()}?documentType=${options.documentType ?? 'BIRTH_CERTIFICATE'}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${options.token ?? stack.tokens.clerk}`,
      'content-type': options.type ?? 'application/pdf',
      'x-file-name': encodeURIComponent(options.name ?? 'giấy chứng sinh.pdf'),
      ...(options.key ? { 'idempotency-key': options.key } : {}),
    },
    body: new Uint8Array(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}
const rows = () => stack.db.dossierAttachment.count({ where: { dossierId } });
const stored = () => {
  try {
    return readdirSync(join(dir, 'sha256'));
  } catch {
    return [];
  }
};

beforeAll(async () => {
  stack = await startStack({ ATTACHMENT_DIR: dir, ATTACHMENT_MAX_BYTES: '65536', ATTACHMENT_MAX_PER_DOSSIER: '4' });
  const intake = birthIntake();
  const receipt = await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
  expect(receipt.status).toBe(201);
  dossierNumber = intake.dossierNumber;
  dossierId = receipt.body.dossierId;
});
afterAll(async () => stack?.stop());

describe('refused uploads record nothing', () => {
  test('a file over the limit: 413 on the body', async () => {
    const answer = await upload(Buffer.concat([pdf(''), Buffer.alloc(70_000)]));
    expect(answer.status).toBe(413);
    expect(answer.body.errors).toEqual([{ field: 'body', reason: expect.stringContaining('MiB') }]);
  });

  test('a text file declared as a PDF, and a PNG declared as a JPEG: 415 naming why', async () => {
    const text = await upload(Buffer.from('not a scan at all'));
    expect(text.status).toBe(415);
    expect(text.body.errors[0].field).toBe('body');
    const mislabelled = await upload(png, { type: 'image/jpeg' });
    expect(mislabelled.status).toBe(415);
    expect(mislabelled.body.errors[0]).toEqual({ field: 'headers.content-type', reason: 'declared image/jpeg, but the file is image/png' });
    const json = await upload(Buffer.from('{}'), { type: 'application/json' });
    expect(json.status).toBe(415);
  });

  test('a document outside the catalogue, or of the other procedure group: 400 on documentType', async () => {
    const unknown = await upload(pdf('x'), { documentType: 'PASSPORT_PHOTO' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('querystring.documentType');
    const deathNotice = await upload(pdf('x'), { documentType: 'DEATH_NOTICE' });
    expect(deathNotice.status).toBe(400);
    expect(deathNotice.body.errors[0]).toEqual({ field: 'querystring.documentType', reason: 'not a document of the BIRTH procedures' });
  });

  test('an officer may not attach; another province sees no such dossier', async () => {
    expect((await upload(pdf('x'), { token: stack.tokens.civilStatusOfficer })).status).toBe(403);
    const listed = await fetch(`${stack.apiUrl}${path()}`, { headers: { authorization: `Bearer ${stack.tokens.otherProvinceOfficer}` } });
    expect(listed.status).toBe(404);
  });

  test('an upload cut off mid-body leaves no attachment, and nothing after the sweep', async () => {
    const url = new URL(`${stack.apiUrl}${path()}?documentType=BIRTH_CERTIFICATE`);
    await new Promise<void>((resolve) => {
      const req = httpRequest(url, { method: 'POST', headers: { authorization: `Bearer ${stack.tokens.clerk}`, 'content-type': 'application/pdf', 'content-length': '40000' } });
      req.on('error', () => resolve());
      req.write(pdf('half of it'));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 300);
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await rows()).toBe(0);
    await sweepOrphanAttachments(stack.db, diskObjectStore(dir), 0);
    expect(stored()).toEqual([]);
  });

  test('the store down: 503, nothing recorded', async () => {
    const api = await buildApi({
      db: stack.db,
      temporal: stack.temporal,
      config: stack.config,
      logger: createLogger({ level: 'silent' }),
      calendar: createWorkingCalendar({ cutoffHour: stack.config.INTAKE_CUTOFF_HOUR }),
      attachmentStore: s3ObjectStore({ bucket: 'attachments', endpoint: `http://127.0.0.1:${await freePort()}`, region: 'us-east-1', forcePathStyle: true }),
    });
    const base = await api.listen({ host: '127.0.0.1', port: 0 });
    try {
      process.env.AWS_ACCESS_KEY_ID ??= 'test';
      process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
      const answer = await upload(pdf('store down'), { base });
      expect(answer.status).toBe(503);
      expect(await rows()).toBe(0);
    } finally {
      await api.close();
    }
  });
});

describe('accepted uploads', () => {
  test('the same file twice, or racing, is one attachment; a key reused for another file is 422', async () => {
    const file = pdf('birth certificate from the hospital');
    const first = await upload(file, { key: 'upload-key-0001' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ documentType: 'BIRTH_CERTIFICATE', contentType: 'application/pdf', sizeBytes: file.length, fileName: 'giấy chứng sinh.pdf' });
    const again = await upload(file, { key: 'upload-key-0001' });
    expect(again).toEqual({ status: 200, body: first.body });
    expect((await upload(file)).body.id).toBe(first.body.id);
    const reused = await upload(pdf('another file'), { key: 'upload-key-0001' });
    expect(reused.status).toBe(422);
    const racing = await Promise.all([1, 2, 3].map(() => upload(png, { type: 'image/png', documentType: 'PARENT_IDENTITY' })));
    expect(new Set(racing.map((r) => r.body.id)).size).toBe(1);
    expect(racing.filter((r) => r.status === 201)).toHaveLength(1);
    expect(await rows()).toBe(2);
  });

  test('downloaded by an officer of the dossier as an attachment, not sniffed; refused to another province', async () => {
    const list = (await (await fetch(`${stack.apiUrl}${path()}`, { headers: { authorization: `Bearer ${stack.tokens.civilStatusOfficer}` } })).json()) as any;
    const certificate = list.attachments.find((a: { documentType: string }) => a.documentType === 'BIRTH_CERTIFICATE');
    const content = `${stack.apiUrl}${path()}/${certificate.id}/content`;
    const response = await fetch(content, { headers: { authorization: `Bearer ${stack.tokens.civilStatusOfficer}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; .*filename\*=UTF-8''gi%E1%BA%A5y/);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(pdf('birth certificate from the hospital'));
    expect((await fetch(content, { headers: { authorization: `Bearer ${stack.tokens.otherProvinceOfficer}` } })).status).toBe(404);
    expect((await fetch(content)).status).toBe(401);
  });

  test('the orphan sweep removes an unrecorded file only after the grace period, never a recorded one', async () => {
    const store = diskObjectStore(dir);
    const orphan = contentKey('a'.repeat(64));
    await store.put(orphan, pdf('stored, never recorded'), 'application/pdf');
    expect(await sweepOrphanAttachments(stack.db, store, 3_600_000)).toBe(0);
    expect(await store.exists(orphan)).toBe(true);
    expect(await sweepOrphanAttachments(stack.db, store, 0)).toBe(1);
    expect(await store.exists(orphan)).toBe(false);
    expect(stored()).toHaveLength(2); // the two recorded files
  });

  test('a dossier carries at most the configured number of files: 409', async () => {
    expect((await upload(pdf('marriage'), { documentType: 'MARRIAGE_CERTIFICATE' })).status).toBe(201);
    expect((await upload(pdf('requester'), { documentType: 'REQUESTER_IDENTITY' })).status).toBe(201);
    const over = await upload(pdf('one too many'), { documentType: 'AUTHORIZATION_LETTER' });
    expect(over.status).toBe(409);
    expect(await rows()).toBe(4);
  });
});
