import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { roleMayPerform, type Action } from '../../domain/authorization';
import type { Principal } from '../../domain/principal';
import { ProblemError, sendProblem, ServiceUnavailableError } from '../problem';
import { createTokenVerifier, TokenError, type VerifySettings } from './tokens';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, from the bearer token; null only on public routes. */
    principal: Principal | null;
  }
}

export interface AuthPluginOptions {
  /** HS256 under AUTH_JWT_SECRET, or an identity provider's keys when AUTH_OIDC_ISSUER is set. */
  tokens: VerifySettings;
  /**
   * Route patterns answered without a token; each also opens the routes under it ('/docs' opens
   * '/docs/json', '/docs/static/*'...). Matched against the registered route, not the raw URL, so
   * '/health/../v1/dossiers' cannot slip through.
   */
  publicRoutes?: readonly string[];
}

export const defaultPublicRoutes: readonly string[] = ['/health', '/docs'];

const realm = 'lien-thong';
const bearerPattern = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Authentication for every route registered on the instance (and its children): reads
 * `Authorization: Bearer <jwt>`, verifies it, and sets `request.principal`, or answers 401 as problem
 * details with a `WWW-Authenticate: Bearer` challenge (RFC 6750). Unknown URLs need a token too, so
 * an anonymous caller cannot map the API by its 404s.
 *
 * Registered through fastify-plugin so the hook and the decorator apply to the routes of the instance
 * that registers it, not only inside the plugin's own encapsulation context. Wiring, in buildApi:
 *
 *   await app.register(authPlugin, { tokens: config });            // before the routes
 *   app.get('/v1/tasks', { preHandler: requirePermission('task.list') }, async (request) => {
 *     const principal = principalOf(request);                      // then authorize(...) per target
 *   });
 */
/** Whether a registered route is answered without a token, under the plugin's `publicRoutes`. */
export function publicRouteMatcher(publicRoutes: readonly string[] = defaultPublicRoutes): (route: string | undefined) => boolean {
  return (route) => route !== undefined && publicRoutes.some((open) => route === open || route.startsWith(`${open}/`));
}

const authentication: FastifyPluginAsync<AuthPluginOptions> = async (app, options) => {
  const verify = createTokenVerifier(options.tokens);
  const isPublic = publicRouteMatcher(options.publicRoutes);

  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request, reply) => {
    if (isPublic(request.routeOptions.url)) return;
    const match = bearerPattern.exec(request.headers.authorization ?? '');
    if (!match?.[1]) {
      return sendProblem(reply, unauthorized('a bearer token is required'), { 'www-authenticate': `Bearer realm="${realm}"` });
    }
    try {
      request.principal = await verify(match[1]);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      if (error.reason === 'key-unavailable') return providerUnavailable(request, reply, error);
      // The reason only: the token itself is a credential and never goes to the log.
      request.log.info({ reason: error.reason }, 'bearer token refused');
      return sendProblem(reply, unauthorized(error.message), {
        'www-authenticate': `Bearer realm="${realm}", error="invalid_token", error_description="${error.message}"`,
      });
    }
  });
};

export const authPlugin = fastifyPlugin(authentication, { name: 'lien-thong-auth', fastify: '5.x' });

/** The checks requirePermission made, so the OpenAPI document can tell which routes may answer 403. */
const permissionChecks = new WeakSet<object>();

/**
 * A route `preHandler` that lets through only the roles the permission matrix allows for `action`,
 * answering 403 otherwise. Whether the principal reaches the particular dossier or task is the route's
 * question (`authorize` in domain/authorization.ts), since only the route has loaded it.
 */
export function requirePermission(action: Action): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  const check = async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = request.principal;
    if (!principal) return sendProblem(reply, unauthorized('a bearer token is required'), { 'www-authenticate': `Bearer realm="${realm}"` });
    if (!roleMayPerform(principal.role, action)) return sendProblem(reply, forbidden(`the ${principal.role} role may not ${action}`));
    return undefined;
  };
  permissionChecks.add(check);
  return check;
}

/** Whether a route's preHandler (a function or an array of them) includes a requirePermission check. */
export function checksPermission(preHandler: unknown): boolean {
  return [preHandler].flat().some((handler) => typeof handler === 'function' && permissionChecks.has(handler));
}

/** The caller of a protected route; a 401 if the route was left outside authentication by mistake. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized('a bearer token is required');
  return request.principal;
}

export function unauthorized(detail: string): ProblemError {
  return new ProblemError(401, 'Unauthorized', detail);
}

/** Also for routes refusing a principal whose role may act but who does not reach this dossier or task. */
export function forbidden(detail: string): ProblemError {
  return new ProblemError(403, 'Forbidden', detail);
}

/** The token may well be good: the caller should retry, not sign in again. */
function providerUnavailable(request: FastifyRequest, reply: FastifyReply, error: TokenError): FastifyReply {
  // The cause is a network or HTTP failure of the provider, which names no caller and no token.
  request.log.warn({ reason: error.reason, cause: error.cause instanceof Error ? error.cause.message : undefined }, 'identity provider unavailable');
  const problem = new ServiceUnavailableError('Identity provider unavailable', error.message);
  return sendProblem(reply, problem);
}
