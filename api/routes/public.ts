import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { resultDocumentKinds } from '../../domain/result-documents';
import type { Config } from '../../runtime/config';
import type { Database } from '../../runtime/database';
import { pdfResponse, readPublicResult, sendPdf } from '../dossier-results';
import { problemResponses, ProblemError } from '../problem';
import { publicDossierStatusSchema, publicStatusQuerySchema, readPublicDossierStatus } from '../public-dossier-status';
import type { ReceiptCodes } from '../receipt-codes';

export interface PublicRouteDependencies {
  db: Database;
  receiptCodes: ReceiptCodes;
  config: Pick<Config, 'PUBLIC_LOOKUP_LIMIT' | 'PUBLIC_LOOKUP_WINDOW'>;
}

/** Under /v1/public: open without a token (the auth plugin's public routes), each limited per client address. */
export const publicPrefix = '/public';

/**
 * The citizen's side: a dossier looked up with the number and receipt code printed at intake, and its
 * results downloaded with the same two. POSTs, so the code travels in the body and stays out of URLs,
 * access logs and browser history.
 */
export function publicRoutes(deps: PublicRouteDependencies): FastifyPluginAsyncZod {
  return async (app) => {
    // One allowance per client address for the lookup and the downloads together, counted before the
    // body is read (malformed and refused requests use it up too): a guesser gains nothing by switching.
    const limit = app.rateLimit({
      max: deps.config.PUBLIC_LOOKUP_LIMIT,
      timeWindow: deps.config.PUBLIC_LOOKUP_WINDOW * 1000,
      errorResponseBuilder: (_request, context) =>
        new ProblemError(429, 'Too many requests', `at most ${context.max} lookups per ${Math.round(context.ttl / 1000) || 1} s from one address; try again later`),
    });

    app.post(
      `${publicPrefix}/dossier-status`,
      {
        onRequest: limit,
        schema: {
          tags: ['public'],
          summary: "The citizen's lookup: a dossier's steps and dates, by its number and receipt code (no login)",
          description:
            'A wrong code, an unknown number and a dossier without a receipt code get the same 404. Rate-limited per client address (429 with Retry-After), together with the downloads.',
          body: publicStatusQuerySchema,
          response: { 200: publicDossierStatusSchema, ...problemResponses(404, 429) },
        },
      },
      async (request) => readPublicDossierStatus(deps.db, deps.receiptCodes, request.body),
    );

    app.post(
      `${publicPrefix}/dossier-results/:document`,
      {
        onRequest: limit,
        schema: {
          tags: ['public'],
          summary: "The citizen's electronic results: the registration extract or the receipt as a PDF, by the dossier's number and receipt code",
          description:
            'The copy for the receipt holder: act numbers and dates, no names or addresses, the ID and card numbers by their last four characters (the desk gives the full copy). ' +
            'A wrong code, an unknown number and a dossier without a code get the same 404 as the lookup; with the right code, 409 until the group has ended with its registration done. ' +
            'Rate-limited per client address together with the lookup.',
          params: z.object({ document: z.enum(resultDocumentKinds).describe('extract: trích lục đăng ký khai sinh/khai tử; receipt: giấy tiếp nhận hồ sơ và hẹn trả kết quả') }),
          body: publicStatusQuerySchema,
          response: { 200: pdfResponse, ...problemResponses(404, 409, 429) },
        },
      },
      async (request, reply) => sendPdf(reply, await readPublicResult(deps.db, deps.receiptCodes, request.body, request.params.document)),
    );
  };
}
