import { createHash, randomUUID } from 'node:crypto';
import type { Principal } from '../domain/principal';
import type { Database } from '../runtime/database';
import { contentKey, ObjectStoreUnavailableError, type ObjectStore } from '../runtime/object-store';
import { audit } from './audit';
import { ProblemError, ServiceUnavailableError } from './problem';

/** The file types a scan may be, told by their first bytes: the declared content type alone proves nothing. */
export const attachmentTypes = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d], // %PDF-
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
} as const;
export type AttachmentContentType = keyof typeof attachmentTypes;
export const attachmentContentTypes = Object.keys(attachmentTypes) as AttachmentContentType[];

export function sniffContentType(bytes: Buffer): AttachmentContentType | null {
  for (const type of attachmentContentTypes) {
    const magic = attachmentTypes[type];
    if (bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b)) return type;
  }
  return null;
}

export interface AttachmentUpload {
  dossierId: string;
  dossierNumber: string;
  documentType: string;
  fileName: string;
  declaredType: string;
  bytes: Buffer;
  idempotencyKey?: string | undefined;
}

const storeDown = () => new ServiceUnavailableError('Attachment store unavailable', 'the file was not kept; send it again shortly');

/**
 * Stores the file under its content address, then records the attachment in one transaction that
 * holds a shared lock on the address: the orphan sweep (exclusive lock) never deletes a file an upload
 * is about to record, and a failure between the two leaves at most an unrecorded file for the sweep.
 */
export async function recordAttachment(db: Database, store: ObjectStore, principal: Principal, upload: AttachmentUpload, maxPerDossier: number) {
  const contentType = sniffContentType(upload.bytes);
  if (!contentType) throw new ProblemError(415, 'Unsupported file type', 'only PDF, JPEG and PNG scans are accepted', [{ field: 'body', reason: 'not a PDF, JPEG or PNG file' }]);
  if (upload.declaredType !== contentType) {
    throw new ProblemError(415, 'Unsupported file type', 'the declared content type is not the file\'s', [{ field: 'headers.content-type', reason: `declared ${upload.declaredType}, but the file is ${contentType}` }]);
  }
  const sha256 = createHash('sha256').update(upload.bytes).digest('hex');
  const mine = { dossierId: upload.dossierId, uploadedBy: principal.subject };
  const earlier = async () => {
    if (upload.idempotencyKey) {
      const keyed = await db.dossierAttachment.findFirst({ where: { ...mine, idempotencyKey: upload.idempotencyKey } });
      if (keyed && (keyed.sha256 !== sha256 || keyed.documentType !== upload.documentType)) {
        throw new ProblemError(422, 'Idempotency key reused', 'this Idempotency-Key was used for another file', [{ field: 'headers.idempotency-key', reason: 'already used for another file' }]);
      }
      if (keyed) return keyed;
    }
    return db.dossierAttachment.findFirst({ where: { dossierId: upload.dossierId, sha256, documentType: upload.documentType } });
  };
  const found = await earlier();
  if (found) return { attachment: found, created: false };
  if ((await db.dossierAttachment.count({ where: { dossierId: upload.dossierId } })) >= maxPerDossier) {
    throw new ProblemError(409, 'Too many attachments', `a dossier carries at most ${maxPerDossier} files`, [{ field: 'body', reason: `the dossier already carries ${maxPerDossier} files` }]);
  }
  const key = contentKey(sha256);
  const id = randomUUID();
  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(hashtextextended(${key}, 0))`;
      try {
        if (!(await store.exists(key))) await store.put(key, upload.bytes, contentType);
      } catch (error) {
        if (error instanceof ObjectStoreUnavailableError) throw storeDown();
        throw error;
      }
      const inserted = await tx.dossierAttachment.createMany({
        skipDuplicates: true,
        data: [{ id, ...mine, documentType: upload.documentType, fileName: upload.fileName, contentType, sizeBytes: upload.bytes.length, sha256, storageKey: key, idempotencyKey: upload.idempotencyKey ?? null }],
      });
      if (inserted.count === 1) await audit(tx, principal, { action: 'dossier.attach', dossierNumber: upload.dossierNumber, detail: { documentType: upload.documentType, sizeBytes: upload.bytes.length } });
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
  // A racing identical upload may have recorded it first: one attachment either way.
  const attachment = (await db.dossierAttachment.findUnique({ where: { id } })) ?? (await earlier());
  return { attachment: attachment!, created: attachment?.id === id };
}

/**
 * Removes stored files no attachment names once older than the grace period (an upload cut off after
 * storing, a crash before recording). Each under the exclusive lock of its address, checked again
 * under it, so an upload recording that file meanwhile keeps it.
 */
export async function sweepOrphanAttachments(db: Database, store: ObjectStore, graceMs: number, now = new Date()): Promise<number> {
  let removed = 0;
  for await (const object of store.list()) {
    if (now.getTime() - object.storedAt.getTime() < graceMs) continue;
    const gone = await db.$transaction(async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtextextended(${object.key}, 0)) AS locked`;
      if (!lock?.locked) return false;
      if ((await tx.dossierAttachment.count({ where: { storageKey: object.key } })) > 0) return false;
      await store.delete(object.key);
      return true;
    });
    if (gone) removed++;
  }
  return removed;
}
