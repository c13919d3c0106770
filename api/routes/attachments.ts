import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { documentTypeCodes, procedureDocuments } from '../../domain/catalogues';
import type { Settings } from '../../runtime/config';
import type { Database } from '../../runtime/database';
import type { ObjectStore } from '../../runtime/object-store';
import { ObjectStoreUnavailableError } from '../../runtime/object-store';
import { attachmentContentTypes, recordAttachment } from '../attachments';
import { requirePermission } from '../auth/plugin';
import { dossierFor } from '../dossier-access';
import { idempotencyHeader } from '../idempotency';
import { problemResponses, ProblemError, ServiceUnavailableError } from '../problem';
import { dossierParams as params, fileResponse, security } from '../schemas';

export interface AttachmentRouteDependencies {
  db: Database;
  attachmentStore: ObjectStore;
  config: Pick<Settings<'attachments'>, 'ATTACHMENT_MAX_BYTES' | 'ATTACHMENT_MAX_PER_DOSSIER'>;
}

export const attachmentSchema = z.object({
  id: z.uuid(),
  documentType: z.enum(documentTypeCodes),
  fileName: z.string(),
  contentType: z.enum(attachmentContentTypes),
  sizeBytes: z.number().int(),
  sha256: z.string(),
  uploadedBy: z.string(),
  createdAt: z.iso.datetime(),
});
type AttachmentRow = { id: string; documentType: string; fileName: string; contentType: string; sizeBytes: number; sha256: string; uploadedBy: string; createdAt: Date };
const view = (a: AttachmentRow) => ({ ...a, documentType: a.documentType as z.infer<typeof attachmentSchema>['documentType'], contentType: a.contentType as z.infer<typeof attachmentSchema>['contentType'], createdAt: a.createdAt.toISOString() });

/** The uploader's name for the file (percent-encoded UTF-8 in X-File-Name), kept to a safe plain name. */
function fileNameOf(request: FastifyRequest): string {
  const raw = request.headers['x-file-name'];
  let name = '';
  try {
    name = typeof raw === 'string' ? decodeURIComponent(raw) : '';
  } catch {
    throw new ProblemError(400, 'Invalid request', 'the file name is malformed', [{ field: 'headers.x-file-name', reason: 'expected percent-encoded UTF-8' }]);
  }
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\x00-\x1f\x7f/\\"]/g, '_').trim().slice(0, 200);
  return clean || 'tep-dinh-kem';
}

/** Reads the raw body up to the limit, refusing with 413 (field and reason) as soon as it is passed. */
function rawBody(maxBytes: number) {
  return (request: FastifyRequest, payload: NodeJS.ReadableStream, done: (err: Error | null, body?: Buffer) => void) => {
    const tooLarge = () => new ProblemError(413, 'File too large', `a file may be at most ${maxBytes} bytes`, [{ field: 'body', reason: `larger than ${Math.floor(maxBytes / 1024 / 1024)} MiB` }]);
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) return done(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: Error | null, body?: Buffer) => {
      if (settled) return;
      settled = true;
      done(err, body);
    };
    payload.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        finish(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    payload.on('end', () => finish(null, Buffer.concat(chunks)));
    payload.on('error', (error: Error) => finish(error));
  };
}

/** The file as stored, streamed rather than serialized: documented as a body of any shape. */
const fileDownload = fileResponse("The file's bytes in its recorded content type, as a download under its name", attachmentContentTypes);

/** A dossier's attachments: upload (a raw body per file), list, download. Never logs a file's name or contents. */
export function attachmentRoutes(deps: AttachmentRouteDependencies): FastifyPluginAsyncZod {
  return async (app) => {
    // Any body type reaches the handler, which answers 415 naming the field for a type it does not take.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', rawBody(deps.config.ATTACHMENT_MAX_BYTES));
    const path = '/dossiers/:dossierNumber/attachments';

    app.post(
      path,
      {
        preHandler: requirePermission('dossier.attach'),
        schema: {
          tags: ['dossiers'],
          summary: "Attach a scanned document to a dossier: the file's bytes as the body (PDF, JPEG or PNG); the desk for any dossier of its commune, the portal for the dossiers it filed",
          description:
            "The body is the file itself, sent with its content type; X-File-Name its name (percent-encoded). The same file of the same type, or the same Idempotency-Key, gives the first attachment back (200).",
          security,
          params,
          querystring: z.object({ documentType: z.enum(documentTypeCodes, { error: 'not a document of the catalogue' }) }),
          response: { 200: attachmentSchema, 201: attachmentSchema, ...problemResponses(404, 409, 413, 415, 422, 503) },
        },
      },
      async (request, reply) => {
        const { dossier, principal } = await dossierFor(deps.db, request, request.params.dossierNumber, 'dossier.attach');
        // The portal files for citizens and reaches nothing else: another channel's dossier, or another
        // citizen's, is unknown to it (the token's VNeID citizen must be the dossier's requester).
        if (principal.role === 'PORTAL') {
          const filedOnline = await deps.db.portalDossier.findUnique({ where: { dossierId: dossier.id }, select: { dossierId: true } });
          const requester = (dossier.intake as { requester?: { personalIdNumber?: string } }).requester?.personalIdNumber;
          if (!filedOnline || !principal.citizen || principal.citizen.personalIdNumber !== requester) {
            throw new ProblemError(404, 'Dossier not found', `no dossier ${dossier.dossierNumber}`);
          }
        }
        const { documentType } = request.query;
        if (!procedureDocuments(dossier.procedureGroup).includes(documentType)) {
          throw new ProblemError(400, 'Invalid request', 'this document is not one the procedure takes', [{ field: 'querystring.documentType', reason: `not a document of the ${dossier.procedureGroup} procedures` }]);
        }
        const declaredType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (!(attachmentContentTypes as string[]).includes(declaredType) || !Buffer.isBuffer(request.body)) {
          throw new ProblemError(415, 'Unsupported file type', 'send the file as application/pdf, image/jpeg or image/png', [{ field: 'headers.content-type', reason: 'expected application/pdf, image/jpeg or image/png' }]);
        }
        if (request.body.length === 0) throw new ProblemError(400, 'Invalid request', 'the file is empty', [{ field: 'body', reason: 'empty file' }]);
        const key = request.headers[idempotencyHeader];
        const { attachment, created } = await recordAttachment(
          deps.db,
          deps.attachmentStore,
          principal,
          { dossierId: dossier.id, dossierNumber: dossier.dossierNumber, documentType, fileName: fileNameOf(request), declaredType, bytes: request.body, idempotencyKey: typeof key === 'string' ? key.slice(0, 128) : undefined },
          deps.config.ATTACHMENT_MAX_PER_DOSSIER,
        );
        return reply.code(created ? 201 : 200).send(view(attachment));
      },
    );

    app.get(
      path,
      {
        preHandler: requirePermission('dossier.read'),
        schema: { tags: ['dossiers'], summary: "A dossier's attachments, oldest first", security, params, response: { 200: z.object({ attachments: z.array(attachmentSchema) }), ...problemResponses(404) } },
      },
      async (request) => {
        const { dossier } = await dossierFor(deps.db, request, request.params.dossierNumber, 'dossier.read');
        const rows = await deps.db.dossierAttachment.findMany({ where: { dossierId: dossier.id }, orderBy: { createdAt: 'asc' } });
        return { attachments: rows.map(view) };
      },
    );

    app.get(
      `${path}/:attachmentId/content`,
      {
        preHandler: requirePermission('dossier.read'),
        schema: { tags: ['dossiers'], summary: "An attachment's file, as a download", security, params: params.extend({ attachmentId: z.uuid() }), response: { 200: fileDownload, ...problemResponses(404, 503) } },
      },
      async (request, reply) => {
        const { dossier } = await dossierFor(deps.db, request, request.params.dossierNumber, 'dossier.read');
        const attachment = await deps.db.dossierAttachment.findFirst({ where: { id: request.params.attachmentId, dossierId: dossier.id } });
        if (!attachment) throw new ProblemError(404, 'Attachment not found', `no attachment ${request.params.attachmentId} on dossier ${dossier.dossierNumber}`);
        let body;
        try {
          body = await deps.attachmentStore.get(attachment.storageKey);
        } catch (error) {
          if (error instanceof ObjectStoreUnavailableError) throw new ServiceUnavailableError('Attachment store unavailable', 'try again shortly');
          throw error;
        }
        if (!body) throw new ProblemError(404, 'Attachment not found', 'the file is missing from the store');
        return reply
          .header('content-type', attachment.contentType)
          .header('content-length', String(attachment.sizeBytes))
          .header('content-disposition', `attachment; filename="tep-dinh-kem"; filename*=UTF-8''${encodeURIComponent(attachment.fileName)}`)
          .header('x-content-type-options', 'nosniff')
          // A stream of the file's bytes, not an object to serialize.
          .send(body as never);
      },
    );
  };
}
