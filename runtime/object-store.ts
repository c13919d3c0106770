import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { s3ObjectStore } from './s3-object-store';

/**
 * Where the dossiers' attachments are kept, behind the few calls the API and its sweep need, so that the
 * local disk (one host, `npm start`) and S3-compatible object storage (production) are interchangeable
 * and tested the same way. Keys are content addresses (`sha256/<hex>`): a file is written once whoever
 * uploads it again.
 */
export interface ObjectStore {
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The object's bytes as a stream, or null when there is no such object. */
  get(key: string): Promise<Readable | null>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Every stored object and when it was last written: the orphan sweep's view. */
  list(): AsyncIterable<StoredObject>;
}

export interface StoredObject {
  key: string;
  storedAt: Date;
}

/** The store could not be reached or refused to work (not "no such object"): callers answer 503. */
export class ObjectStoreUnavailableError extends Error {}

const keyPattern = /^sha256\/[0-9a-f]{64}$/;

/** The content address of a file. */
export const contentKey = (sha256Hex: string): string => `sha256/${sha256Hex}`;

export function checkKey(key: string): string {
  if (!keyPattern.test(key)) throw new Error('not a content address');
  return key;
}

const unavailable = (error: unknown): ObjectStoreUnavailableError =>
  new ObjectStoreUnavailableError(`attachment store unavailable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);

/** Files under one folder, written to a temporary name then renamed: a reader never sees half a file. */
export function diskObjectStore(root: string): ObjectStore {
  const pathOf = (key: string) => join(root, checkKey(key));
  const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';
  return {
    async put(key, bytes) {
      const target = pathOf(key);
      const partial = join(root, 'partial', randomUUID());
      try {
        await mkdir(dirname(target), { recursive: true });
        await mkdir(dirname(partial), { recursive: true });
        await writeFile(partial, bytes);
        await rename(partial, target);
      } catch (error) {
        await rm(partial, { force: true }).catch(() => undefined);
        throw unavailable(error);
      }
    },
    async get(key) {
      const path = pathOf(key);
      try {
        await stat(path);
      } catch (error) {
        if (missing(error)) return null;
        throw unavailable(error);
      }
      return createReadStream(path);
    },
    async delete(key) {
      await rm(pathOf(key), { force: true }).catch((error: unknown) => {
        throw unavailable(error);
      });
    },
    async exists(key) {
      try {
        await stat(pathOf(key));
        return true;
      } catch (error) {
        if (missing(error)) return false;
        throw unavailable(error);
      }
    },
    async *list() {
      let names: string[];
      try {
        names = await readdir(join(root, 'sha256'));
      } catch (error) {
        if (missing(error)) return;
        throw unavailable(error);
      }
      for (const name of names) {
        const key = `sha256/${name}`;
        if (!keyPattern.test(key)) continue;
        const info = await stat(join(root, key)).catch(() => null);
        if (info) yield { key, storedAt: info.mtime };
      }
    },
  };
}

/** The store the settings name (ATTACHMENT_STORE). */
export function configuredObjectStore(config: {
  ATTACHMENT_STORE: 'disk' | 's3';
  ATTACHMENT_DIR: string;
  ATTACHMENT_S3_BUCKET?: string | undefined;
  ATTACHMENT_S3_ENDPOINT?: string | undefined;
  ATTACHMENT_S3_REGION: string;
  ATTACHMENT_S3_FORCE_PATH_STYLE: boolean;
}): ObjectStore {
  if (config.ATTACHMENT_STORE === 'disk') return diskObjectStore(config.ATTACHMENT_DIR);
  return s3ObjectStore({
    bucket: config.ATTACHMENT_S3_BUCKET!,
    endpoint: config.ATTACHMENT_S3_ENDPOINT,
    region: config.ATTACHMENT_S3_REGION,
    forcePathStyle: config.ATTACHMENT_S3_FORCE_PATH_STYLE,
  });
}
