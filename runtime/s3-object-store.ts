import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { checkKey, ObjectStoreUnavailableError, type ObjectStore } from './object-store';

export interface S3Settings {
  bucket: string;
  endpoint?: string | undefined;
  region: string;
  forcePathStyle: boolean;
}

const notFound = (error: unknown) => error instanceof S3ServiceException && (error.name === 'NotFound' || error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404);
const unavailable = (error: unknown) => new ObjectStoreUnavailableError(`attachment store unavailable: ${(error as Error).name}`);

/** An S3-compatible bucket; credentials from the AWS SDK's usual sources. Few retries: the API answers 503 and the caller retries. */
export function s3ObjectStore(settings: S3Settings): ObjectStore {
  const client = new S3Client({
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    maxAttempts: 2,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  });
  const Bucket = settings.bucket;
  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw unavailable(error);
    }
  };
  return {
        // The key is checked before the call: a refused key is the caller's mistake, not an outage.
    async put(key, bytes, contentType) {
      const Key = checkKey(key);
      return call(async () => void (await client.send(new PutObjectCommand({ Bucket, Key, Body: bytes, ContentType: contentType }))));
    },
    async get(key) {
      const Key = checkKey(key);
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket, Key }));
        return answer.Body as Readable;
      } catch (error) {
        if (notFound(error)) return null;
        throw unavailable(error);
      }
    },
    async delete(key) {
      const Key = checkKey(key);
      return call(async () => void (await client.send(new DeleteObjectCommand({ Bucket, Key }))));
    },
    async exists(key) {
      const Key = checkKey(key);
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key }));
        return true;
      } catch (error) {
        if (notFound(error)) return false;
        throw unavailable(error);
      }
    },
    async *list() {
      let ContinuationToken: string | undefined;
      do {
        const page = await call(() => client.send(new ListObjectsV2Command({ Bucket, Prefix: 'sha256/', ...(ContinuationToken ? { ContinuationToken } : {}) })));
        for (const item of page.Contents ?? []) if (item.Key && item.LastModified) yield { key: item.Key, storedAt: item.LastModified };
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
  };
}
