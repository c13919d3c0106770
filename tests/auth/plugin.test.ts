import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { devTokens } from '../../api/auth/dev-tokens';
import { authPlugin, principalOf, requirePermission } from '../../api/auth/plugin';
import { signToken, verifyToken } from '../../api/auth/tokens';
import { sessionRoutes } from '../../api/routes/session';
import { settings } from '../support/token-settings';
import { loadConfig } from '../../runtime/config';
import { issueToken, parseTokenRequest, UsageError } from '../../scripts/issue-token';

const officerArgs = ['--role', 'AGENCY_OFFICER', '--agency', 'COMMUNE_POLICE', '--province', '79', '--commune', '26743', '--subject', 'officer-1'];
const clerkArgs = ['--role', 'CLERK', '--province', '79', '--commune', '26743', '--subject', 'clerk-1'];

/** Everything the app logs, to check no token ever lands there. */
let logged = '';
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  const sink = new Writable({ write: (chunk, _encoding, done) => ((logged += String(chunk)), done()) });
  const server = Fastify({ logger: { level: 'trace', stream: sink } }).withTypeProvider<ZodTypeProvider>();
  server.setValidatorCompiler(validatorCompiler);
  server.setSerializerCompiler(serializerCompiler);
  await server.register(authPlugin, { tokens: settings });
  server.get('/health', async () => ({ status: 'ok' }));
  server.get('/docs/json', async () => ({ openapi: '3.0.0' }));
  server.get('/v1/me', { preHandler: requirePermission('dossier.read') }, async (request) => principalOf(request));
  server.post(
    '/v1/tasks/:taskId/complete',
    { preHandler: requirePermission('task.complete'), schema: { params: z.object({ taskId: z.string() }), response: { 200: z.object({ completedBy: z.string() }) } } },
    async (request) => ({ completedBy: principalOf(request).subject }),
  );
  base = await server.listen({ host: '127.0.0.1', port: 0 });
  app = server;
});

afterAll(async () => {
  await app.close();
});

const get = (path: string, token?: string): Promise<Response> => fetch(`${base}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

async function expectUnauthorized(response: Response, description?: string): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const challenge = response.headers.get('www-authenticate');
  expect(challenge).toMatch(/^Bearer realm="lien-thong"/);
  if (description) expect(challenge).toContain(`error="invalid_token", error_description="${description}"`);
  expect(await response.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
}

describe('authentication over HTTP', () => {
  it('answers 401 with a Bearer challenge when no token is given', async () => {
    await expectUnauthorized(await get('/v1/me'));
  });

  it('answers 401 to another authentication scheme', async () => {
    await expectUnauthorized(await fetch(`${base}/v1/me`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } }));
  });

  it('answers 401 to a token signed with another secret', async () => {
    const forged = await issueToken(officerArgs, { ...settings, AUTH_JWT_SECRET: 'another-secret-of-at-least-thirty-two-chars' });
    await expectUnauthorized(await get('/v1/me', forged), 'token signature does not verify');
  });

  it('answers 401 to a token whose claims were altered after signing', async () => {
    const [header, , signature] = (await issueToken(clerkArgs, settings)).split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'x', role: 'SUPERVISOR', jurisdiction: { scope: 'NATIONAL' }, iss: settings.AUTH_JWT_ISSUER, iat: 1, exp: 9e9 })).toString('base64url');
    await expectUnauthorized(await get('/v1/me', `${header}.${payload}.${signature}`), 'token signature does not verify');
  });

  it('answers 401 to an expired token', async () => {
    const { principal } = parseTokenRequest(officerArgs);
    const expired = await signToken(settings, principal, { issuedAt: new Date(Date.now() - 2 * 3600_000), ttlSeconds: 3600 });
    await expectUnauthorized(await get('/v1/me', expired), 'token has expired');
  });

  it('answers 401 to a token from another issuer', async () => {
    const foreign = await issueToken(officerArgs, { ...settings, AUTH_JWT_ISSUER: 'someone-else' });
    await expectUnauthorized(await get('/v1/me', foreign), 'token was issued by someone else');
  });

  it("answers 401 to an unsigned token (alg 'none')", async () => {
    const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'x', role: 'SUPERVISOR', jurisdiction: { scope: 'NATIONAL' }, iss: settings.AUTH_JWT_ISSUER, iat: 1, exp: 9e9 })}.`;
    await expectUnauthorized(await get('/v1/me', unsigned));
  });

  it('answers 401 to a well-signed token whose claims make no principal', async () => {
    const key = new TextEncoder().encode(settings.AUTH_JWT_SECRET);
    const nationalClerk = await new SignJWT({ role: 'CLERK', jurisdiction: { scope: 'NATIONAL' } })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('clerk-x')
      .setIssuer(settings.AUTH_JWT_ISSUER)
      .setAudience(settings.AUTH_JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);
    await expectUnauthorized(await get('/v1/me', nationalClerk), 'token claims are invalid: jurisdiction.scope');
  });

  it('gives the route the principal of a valid token', async () => {
    const response = await get('/v1/me', await issueToken(officerArgs, settings));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      role: 'AGENCY_OFFICER',
      subject: 'officer-1',
      agency: 'COMMUNE_POLICE',
      jurisdiction: { scope: 'COMMUNE', provinceCode: '79', communeCode: '26743' },
    });
  });

  it('keeps /health and /docs open', async () => {
    expect((await get('/health')).status).toBe(200);
    expect((await get('/docs/json')).status).toBe(200);
  });

  it('asks for a token before telling whether a route exists', async () => {
    await expectUnauthorized(await get('/v1/nowhere'));
    expect((await get('/v1/nowhere', await issueToken(clerkArgs, settings))).status).toBe(404);
  });

  it('never writes a token to the log', async () => {
    const tokens = [await issueToken(officerArgs, settings), await issueToken(officerArgs, { ...settings, AUTH_JWT_ISSUER: 'someone-else' })];
    for (const token of tokens) await get('/v1/me', token);
    expect(logged).toContain('bearer token refused');
    for (const token of tokens) {
      expect(logged).not.toContain(token);
      expect(logged).not.toContain(token.split('.')[2]);
    }
  });
});

describe('requirePermission', () => {
  const complete = (token: string): Promise<Response> =>
    fetch(`${base}/v1/tasks/t-1/complete`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

  it('answers 403 problem details when the role may not do the action', async () => {
    const response = await complete(await issueToken(clerkArgs, settings));
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toEqual({
      type: 'https://lien-thong.gov.vn/problems/forbidden',
      title: 'Forbidden',
      status: 403,
      detail: 'the CLERK role may not task.complete',
    });
  });

  it('lets the role through when it may', async () => {
    const response = await complete(await issueToken(officerArgs, settings));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ completedBy: 'officer-1' });
  });
});

describe('issuing tokens', () => {
  it('infers the scope from the codes given', () => {
    expect(parseTokenRequest(['--role', 'SUPERVISOR', '--subject', 's']).principal.jurisdiction).toEqual({ scope: 'NATIONAL' });
    expect(parseTokenRequest(['--role', 'SUPERVISOR', '--province', '79', '--subject', 's']).principal.jurisdiction).toEqual({ scope: 'PROVINCE', provinceCode: '79' });
    expect(parseTokenRequest(['--role', 'SUPERVISOR', '--province', '79', '--subject', 's', '--ttl', '30m']).ttlSeconds).toBe(1800);
  });

  it.each([
    [['--subject', 's'], '--role: is required'],
    [['--role', 'AGENCY_OFFICER', '--province', '79', '--subject', 's'], '--agency: role AGENCY_OFFICER works for an agency'],
    [['--role', 'CLERK', '--province', '99', '--commune', '26743', '--subject', 's'], '--province: not a province code'],
    [['--role', 'CLERK', '--commune', '26743', '--subject', 's'], '--commune: needs --province'],
    [['--role', 'CLERK', '--province', '79', '--commune', '267', '--subject', 's'], '--commune: expected a 5-digit commune code'],
    [['--role', 'SUPERVISOR', '--subject', 's', '--ttl', '12 hours'], "--ttl: expected a duration such as '90s'"],
    [['--role', 'SUPERVISOR', '--subject', 's', '--colour', 'red'], "Unknown option '--colour'"],
  ])('explains what is wrong with %j', (argv, message) => {
    expect(() => parseTokenRequest(argv)).toThrow(UsageError);
    expect(() => parseTokenRequest(argv)).toThrow(message);
  });

  it('issues dev tokens for every role, which verify to their principals', async () => {
    const config = loadConfig({ LIEN_THONG_DEV_MODE: 'true' });
    const tokens = await devTokens(config);
    expect(Object.keys(tokens)).toHaveLength(10);
    expect(await verifyToken(config, tokens.populationDatabaseSystem)).toMatchObject({ role: 'AGENCY_SYSTEM', jurisdiction: { scope: 'NATIONAL' } });
    expect(await verifyToken(config, tokens.otherProvinceOfficer)).toMatchObject({ jurisdiction: { provinceCode: '01', communeCode: '00004' } });
  });

  it('refuses to issue dev tokens outside development mode', async () => {
    await expect(devTokens({ ...settings, LIEN_THONG_DEV_MODE: false })).rejects.toThrow('only in development mode');
  });

  it('neither issues nor offers dev tokens in development mode under a private secret', async () => {
    const config = loadConfig({ LIEN_THONG_DEV_MODE: 'true', AUTH_JWT_SECRET: settings.AUTH_JWT_SECRET });
    await expect(devTokens(config)).rejects.toThrow('only under the development secret');
    const offered = async (options: typeof config) => {
      const server = Fastify().withTypeProvider<ZodTypeProvider>();
      server.setValidatorCompiler(validatorCompiler);
      server.setSerializerCompiler(serializerCompiler);
      await server.register(sessionRoutes({ config: options }), { prefix: '/v1' });
      try {
        const response = await fetch(`${await server.listen({ host: '127.0.0.1', port: 0 })}/v1/session/sign-in-options`);
        expect(response.status).toBe(200);
        return ((await response.json()) as { developmentPrincipals: { name: string }[] }).developmentPrincipals.map((p) => p.name);
      } finally {
        await server.close();
      }
    };
    expect(await offered(config)).toEqual([]);
    expect(await offered(loadConfig({ LIEN_THONG_DEV_MODE: 'true' }))).toContain('nationalSupervisor');
  });
});
