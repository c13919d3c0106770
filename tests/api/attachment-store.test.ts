import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { contentKey, diskObjectStore, ObjectStoreUnavailableError, type ObjectStore } from '../../runtime/object-store';
import { s3ObjectStore } from '../../runtime/s3-object-store';
import { freePort } from '../support/free-port';

/** The same behaviour asked of each store: the disk folder, and S3 as a real S3-compatible server (moto_server) speaks it. */
const motoServer = join(__dirname, '../../.tools/venv/bin/moto_server');
jest.setTimeout(120_000);

const bytes = Buffer.from('%PDF-1.7 a scanned birth certificate');
const key = contentKey(createHash('sha256').update(bytes).digest('hex'));
const read = async (stream: NodeJS.ReadableStream) => {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

async function behavesAsAStore(store: ObjectStore) {
  expect(await store.exists(key)).toBe(false);
  expect(await store.get(key)).toBeNull();
  await store.put(key, bytes, 'application/pdf');
  await store.put(key, bytes, 'application/pdf'); // again: the same object
  expect(await store.exists(key)).toBe(true);
  expect(await read((await store.get(key))!)).toEqual(bytes);
  const listed = [];
  for await (const o of store.list()) listed.push(o);
  expect(listed.map((o) => o.key)).toEqual([key]);
  expect(Date.now() - listed[0]!.storedAt.getTime()).toBeLessThan(60_000);
  await store.delete(key);
  expect(await store.exists(key)).toBe(false);
  // A key that is not a content address never reaches the disk or the bucket.
  await expect(store.put('../etc/passwd', bytes, 'application/pdf')).rejects.toThrow('not a content address');
}

test('the disk store keeps, lists and deletes files by content address', async () => {
  await behavesAsAStore(diskObjectStore(mkdtempSync(join(tmpdir(), 'attachments-'))));
});

describe('the S3 store against moto_server', () => {
  let server: ChildProcess | undefined;
  let endpoint = '';
  beforeAll(async () => {
    if (!existsSync(motoServer)) throw new Error(`${motoServer} is missing: run scripts/provision.sh (it installs moto from PyPI)`);
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    server = spawn(motoServer, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true });
    for (let i = 0; ; i++) {
      try {
        await client.send(new CreateBucketCommand({ Bucket: 'dossier-attachments' }));
        break;
      } catch (error) {
        if (i > 100) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });
  afterAll(() => {
    server?.kill();
  });

  test('keeps, lists and deletes files by content address', async () => {
    await behavesAsAStore(s3ObjectStore({ bucket: 'dossier-attachments', endpoint, region: 'us-east-1', forcePathStyle: true }));
  });

  test('an unreachable server is an outage, not a missing file', async () => {
    const down = s3ObjectStore({ bucket: 'dossier-attachments', endpoint: `http://127.0.0.1:${await freePort()}`, region: 'us-east-1', forcePathStyle: true });
    await expect(down.exists(key)).rejects.toBeInstanceOf(ObjectStoreUnavailableError);
    await expect(down.put(key, bytes, 'application/pdf')).rejects.toBeInstanceOf(ObjectStoreUnavailableError);
  });
});
