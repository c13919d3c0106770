import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { intakeSchema } from '../domain/intake';
import { resultDocument, resultsAvailable, type Disclosure, type ResultDocumentKind, type ResultsSource } from '../domain/result-documents';
import type { Database } from '../runtime/database';
import { appointmentChangesInclude } from './appointment-view';
import { ProblemError } from './problem';
import { notFound, publicStatusQuerySchema, receiptKey } from './public-dossier-status';
import type { ReceiptCodes } from './receipt-codes';
import { renderResultPdf } from './result-pdf';
import { fileResponse } from './schemas';

/** A result document ready to send: its bytes and the name the browser saves it under. */
export interface ResultFile {
  fileName: string;
  pdf: Uint8Array;
}

/** The group has not ended with results: said only to whoever may see the dossier. */
export const resultsNotReady = () =>
  new ProblemError(409, 'Results not available', 'the results are issued when the group ends with its registration done; this dossier has none (yet)');

async function resultsSource(db: Database, where: { id: string } | { dossierNumber: string }): Promise<ResultsSource | null> {
  const dossier = await db.dossier.findUnique({
    where: 'id' in where ? { id: where.id } : { dossierNumber: where.dossierNumber },
    select: {
      dossierNumber: true,
      procedureGroup: true,
      definitionVersion: true,
      status: true,
      provinceCode: true,
      communeCode: true,
      receivedAt: true,
      dueAt: true,
      appointmentAt: true,
      completedAt: true,
      intake: true,
      steps: { select: { step: true, status: true, result: true, finishedAt: true } },
      appointmentChanges: { select: { previousAt: true }, ...appointmentChangesInclude, take: 1 },
    },
  });
  if (!dossier) return null;
  const { appointmentChanges, ...source } = dossier;
  return { ...source, originalAppointmentAt: appointmentChanges[0]?.previousAt ?? null, intake: intakeSchema.parse(dossier.intake) };
}

async function render(source: ResultsSource | null, kind: ResultDocumentKind, disclosure: Disclosure): Promise<ResultFile> {
  if (!source || !resultsAvailable(source)) throw resultsNotReady();
  const document = resultDocument(kind, source, disclosure);
  return { fileName: document.fileName, pdf: await renderResultPdf(document) };
}

/**
 * The citizen's download: the same key read, digest and comparison as the lookup, the same 404 for a
 * wrong code as for an unknown number; only a matching code learns whether results exist (409 if not).
 */
export async function readPublicResult(db: Database, codes: ReceiptCodes, query: z.infer<typeof publicStatusQuerySchema>, kind: ResultDocumentKind): Promise<ResultFile> {
  const key = await receiptKey(db, codes, query.dossierNumber);
  if (!codes.matches(query.dossierNumber, query.receiptCode, key.digest) || key.id === '') throw notFound();
  return render(await resultsSource(db, { id: key.id }), kind, 'RECEIPT_HOLDER');
}

/** Staff's copy, for a dossier the caller may read (checked by the route): in full. */
export async function readStaffResult(db: Database, dossierNumber: string, kind: ResultDocumentKind): Promise<ResultFile> {
  return render(await resultsSource(db, { dossierNumber }), kind, 'FULL');
}

/** A PDF as a download: its own name, never cached (it carries a dossier's results). */
export function sendPdf(reply: FastifyReply, file: ResultFile) {
  return reply
    .type('application/pdf')
    .header('content-disposition', `attachment; filename="${file.fileName}"`)
    .header('cache-control', 'no-store')
    .send(Buffer.from(file.pdf));
}

export const pdfResponse = fileResponse('The document as a PDF (A4, the font embedded), the same bytes on every download', ['application/pdf']);
