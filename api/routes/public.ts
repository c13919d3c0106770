import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../../runtime/config';
import type { Database } from '../../runtime/database';
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
 * The citizen's side: a dossier looked up with the number and receipt code printed at intake. A POST,
 * so the code travels in the body and stays out of URLs, access logs and browser history.
 */
export function publicRoutes(deps: PublicRouteDependencies): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      `${publicPrefix}/dossier-status`,
      {
        config: {
          // Counted before the body is read: malformed and refused lookups use up the allowance too.
          rateLimit: {
            max: deps.config.PUBLIC_LOOKUP_LIMIT,
            timeWindow: deps.config.PUBLIC_LOOKUP_WINDOW * 1000,
            errorResponseBuilder: (_request, context) =>
              new ProblemError(429, 'Too many requests', `at most ${context.max} lookups per ${Math.round(context.ttl / 1000) || 1} s from one address; try again later`),
          },
        },
        schema: {
          tags: ['public'],
          summary: "The citizen's lookup: a dossier's steps and dates, by its number and receipt code (no login)",
          description:
            'A wrong code, an unknown number and a dossier without a receipt code get the same 404. Rate-limited per client address (429 with Retry-After).',
          body: publicStatusQuerySchema,
          response: { 200: publicDossierStatusSchema, ...problemResponses(404) },
        },
      },
      async (request) => readPublicDossierStatus(deps.db, deps.receiptCodes, request.body),
    );
  };
}
