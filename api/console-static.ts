import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { projectRoot } from '../runtime/tools';
import { ProblemError } from './problem';

/** Where `npm run console:build` writes the console; served under /console/ on the API's own origin. */
export const consoleDist = join(projectRoot, 'console', 'dist');
export const consolePrefix = '/console';

/**
 * The console's page: its own scripts and styles only (Ant Design writes inline styles), talking to this
 * origin (and the identity provider, to sign in) only, never framed by another site.
 */
function contentSecurityPolicy(connectSources: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    ["connect-src 'self'", ...connectSources].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

function sendPage(reply: FastifyReply, policy: string): FastifyReply {
  return reply
    .header('content-security-policy', policy)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .sendFile('index.html', { cacheControl: false });
}

/**
 * Serves the built console: hashed assets cached for good, the page itself revalidated each time, and
 * every console path (a deep link such as /console/ho-so/H79…) answered with the page, whose router
 * takes it from there. Public routes: the console holds no data, the API behind it checks every call.
 */
export async function serveConsole(app: FastifyInstance, connectSources: readonly string[] = []): Promise<void> {
  const policy = contentSecurityPolicy(connectSources);
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect(`${consolePrefix}/`));
  if (!existsSync(join(consoleDist, 'index.html'))) {
    app.log.warn({ consoleDist }, 'console not built: run `npm run console:build`');
    app.get(`${consolePrefix}/*`, { schema: { hide: true } }, async () => {
      throw new ProblemError(503, 'Console not built', 'run `npm run console:build` (npm install does it)');
    });
    return;
  }
  await app.register(fastifyStatic, {
    root: consoleDist,
    prefix: `${consolePrefix}/`,
    wildcard: false,
    index: false,
    // The page only through sendPage, with its security headers; never as a plain file.
    globIgnore: ['**/index.html'],
    schemaHide: true,
    setHeaders: (res, path) => {
      if (path.includes(`${join('dist', 'assets')}`)) res.header('cache-control', 'public, max-age=31536000, immutable');
    },
  });
  app.get(`${consolePrefix}/*`, { schema: { hide: true } }, async (_request, reply) => sendPage(reply, policy));
  app.get(consolePrefix, { schema: { hide: true } }, async (_request, reply) => reply.redirect(`${consolePrefix}/`));
}
