import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from '../runtime/logger';
import type { TokenSettings, VerifySettings } from './auth/tokens';
import { ConfigError, type Config } from '../runtime/config';
import { authPlugin, defaultPublicRoutes, publicRouteMatcher } from './auth/plugin';
import { isDatabaseUnavailable } from '../runtime/database-errors';
import { healthRoutes } from './health';
import { ProblemError, sendProblem, ServiceUnavailableError } from './problem';
import { textHygiene } from './text-hygiene';
import { cleanValueName, cleanValueSchema, declareProblemResponses, openApiTransform } from './openapi';
import { idempotencyHooks } from './idempotency';
import { dossierRoutes, type DossierRouteDependencies } from './routes/dossiers';
import { portalRoutes } from './routes/portal';
import { dossierMapRoutes } from './routes/dossier-map';
import { supervisionRoutes } from './routes/supervision';
import { taskRoutes } from './routes/tasks';
import { appointmentRoutes } from './routes/appointments';
import { noticeRoutes } from './routes/notices';
import { sessionRoutes, type SessionRouteDependencies } from './routes/session';
import { savedViewRoutes } from './routes/saved-views';
import { attachmentRoutes } from './routes/attachments';
import { configuredObjectStore, type ObjectStore } from '../runtime/object-store';
import { publicPrefix, publicRoutes } from './routes/public';
import { receiptCodes } from './receipt-codes';
import { consolePrefix, serveConsole } from './console-static';
import type { PeriodicJob } from '../runtime/periodic';

export type ApiDependencies = Omit<DossierRouteDependencies, 'receiptCodes'> & {
  logger: Logger;
  config: DossierRouteDependencies['config'] &
    TokenSettings &
    VerifySettings &
    SessionRouteDependencies['config'] &
    Pick<Config, 'RECEIPT_CODE_KEY' | 'PUBLIC_LOOKUP_LIMIT' | 'PUBLIC_LOOKUP_WINDOW' | 'API_TRUST_PROXY' | 'PORTAL_MAX_ATTEMPTS'> &
    Parameters<typeof configuredObjectStore>[0] &
    Pick<Config, 'ATTACHMENT_MAX_BYTES' | 'ATTACHMENT_MAX_PER_DOSSIER'>;
  /** Where attachments are kept; default: the store the settings name. */
  attachmentStore?: ObjectStore;
  /** The relay of recorded signals, woken when a request records some (bulk decisions). */
  signalRelay?: Pick<PeriodicJob, 'wake'>;
};

/** The HTTP API: clerks' intake and status; its OpenAPI document is served on the operations port (api/operations.ts). */
export async function buildApi(apiDeps: ApiDependencies): Promise<FastifyInstance> {
  if (!apiDeps.config.RECEIPT_CODE_KEY) throw new ConfigError('RECEIPT_CODE_KEY must be set (a private key of at least 32 characters)');
  const deps = { ...apiDeps, receiptCodes: receiptCodes(apiDeps.config.RECEIPT_CODE_KEY) };
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // Behind the configured proxies the client is the address they name: the public lookup's limit is per citizen, not per proxy.
    ...(deps.config.API_TRUST_PROXY ? { trustProxy: deps.config.API_TRUST_PROXY } : {}),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // An unknown route answers in the API's one error format too (the path only: a query may carry personal data).
  app.setNotFoundHandler((request, reply) => sendProblem(reply, new ProblemError(404, 'Not found', `no route ${request.method} ${request.url.split('?')[0]}`)));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'body';
      const problem = new ProblemError(
        400,
        'Invalid request',
        `the request ${where} has ${error.validation.length} invalid field(s)`,
        error.validation.map((v) => ({
          field: [where, ...v.instancePath.split('/').filter(Boolean)].join('.'),
          reason: v.message ?? 'invalid',
        })),
      );
      return sendProblem(reply, problem);
    }
    if (error instanceof ProblemError) return sendProblem(reply, error);
    if (error.statusCode !== undefined && error.statusCode < 500) {
      // Malformed JSON, wrong content type, body too large: Fastify's own 4xx.
      return sendProblem(reply, new ProblemError(error.statusCode, 'Bad request', error.message));
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error.message }, 'database unavailable');
      return sendProblem(reply, new ServiceUnavailableError('Database unavailable', 'try again shortly'));
    }
    request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, new ProblemError(500, 'Internal error'));
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Liên thông API',
        version: '1.0.0',
        description: 'Interlinked administrative procedures (Nghị định 63/2024/NĐ-CP): intake, follow-up and supervision of procedure groups.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        schemas: { [cleanValueName]: cleanValueSchema },
      },
    },
    transform: openApiTransform,
    // Emits the schemas given an id (the problem details) as components.
    transformObject: jsonSchemaTransformObject,
  });
  const openRoutes = [...defaultPublicRoutes, '/', consolePrefix, '/v1/session/sign-in-options', `/v1${publicPrefix}`];
  await app.register(authPlugin, { tokens: deps.config, publicRoutes: openRoutes });
  // Before the routes: each is registered with the problems the hooks below and the error handler answer.
  app.addHook('onRoute', declareProblemResponses(publicRouteMatcher(openRoutes)));
  // Limits only the routes that ask for one (the public lookup and downloads share one limiter, api/routes/public.ts). In memory, per instance.
  await app.register(rateLimit, { global: false });
  app.addHook('preValidation', textHygiene);
  const idempotency = idempotencyHooks(deps.db, deps.logger);
  app.addHook('preHandler', idempotency.claim);
  app.addHook('onSend', idempotency.settle);

  await app.register(healthRoutes(deps));
  await app.register(dossierRoutes(deps), { prefix: '/v1' });
  await app.register(portalRoutes(deps), { prefix: '/v1' });
  await app.register(dossierMapRoutes(deps), { prefix: '/v1' });
  await app.register(supervisionRoutes(deps), { prefix: '/v1' });
  await app.register(taskRoutes(deps), { prefix: '/v1' });
  await app.register(appointmentRoutes(deps), { prefix: '/v1' });
  await app.register(noticeRoutes(deps), { prefix: '/v1' });
  await app.register(sessionRoutes(deps), { prefix: '/v1' });
  await app.register(savedViewRoutes(deps), { prefix: '/v1' });
  const attachmentStore = deps.attachmentStore ?? configuredObjectStore(deps.config);
  await app.register(attachmentRoutes({ db: deps.db, attachmentStore, config: deps.config }), { prefix: '/v1' });
  await app.register(publicRoutes(deps), { prefix: '/v1' });
  // Answers carry personal data: no browser or proxy keeps a copy beyond the page that asked.
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/v1/')) reply.header('cache-control', 'no-store');
  });
  // The console talks to this origin and, to sign in, to the identity provider's token endpoint.
  await serveConsole(app, deps.config.AUTH_OIDC_ISSUER ? [new URL(deps.config.AUTH_OIDC_ISSUER).origin] : []);
  return app;
}
