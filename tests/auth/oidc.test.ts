import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { authPlugin, principalOf, requirePermission } from '../../api/auth/plugin';
import { createTokenVerifier, TokenError, type TokenFailure, type VerifySettings } from '../../api/auth/tokens';
import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig } from '../../runtime/config';
import { freePort } from '../support/free-port';
import { settings } from '../support/token-settings';
import { identityProviderOptions } from '../../api/auth/identity-provider';
import { signingKey, startIdentityProvider, startOpenIdProvider, type IdentityProvider, type OpenIdProvider, type SigningKey } from '../support/identity-provider';

/** An issuer no one answers at: the provider is down (connection refused). */
const unreachableIssuer = async (): Promise<string> => `http://127.0.0.1:${await freePort()}/realms/lien-thong`;

const now = (): number => Math.floor(Date.now() / 1000);

interface TokenOptions {
  iss?: string;
  aud?: string;
  iat?: number;
  exp?: number;
}

/**
 * An access token as Keycloak issues it with this API's protocol mappers: the API's claims at the top
 * level next to Keycloak's own (azp, scope), which the API ignores.
 */
function providerToken(key: SigningKey, options: TokenOptions = {}): Promise<string> {
  const iat = options.iat ?? now();
  return new SignJWT({ role: 'AGENCY_OFFICER', agency: 'COMMUNE_POLICE', jurisdiction: { scope: 'COMMUNE', provinceCode: '79', communeCode: '26743' }, azp: 'lien-thong-console', scope: 'openid' })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setSubject('2f1c9a6e-officer')
    .setIssuer(options.iss ?? provider.issuer)
    .setAudience(options.aud ?? settings.AUTH_JWT_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(options.exp ?? iat + 300)
    .sign(key.privateKey);
}

const officer = { role: 'AGENCY_OFFICER', subject: '2f1c9a6e-officer', agency: 'COMMUNE_POLICE', jurisdiction: { scope: 'COMMUNE', provinceCode: '79', communeCode: '26743' } };

let provider: IdentityProvider;
let firstKey: SigningKey;
/** Settings of an API signing in through the test provider, its keys found by discovery. */
let oidcSettings: VerifySettings;

beforeAll(async () => {
  firstKey = await signingKey('key-1');
  provider = await startIdentityProvider([firstKey]);
  oidcSettings = { ...settings, AUTH_OIDC_ISSUER: provider.issuer };
});

afterAll(async () => {
  await new Promise((resolve) => provider.server.close(resolve));
});

beforeEach(() => {
  provider.published = [firstKey];
  provider.up = true;
  provider.requested = [];
});

async function reasonOf(verification: Promise<unknown>): Promise<TokenFailure> {
  const error = await verification.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TokenError)) throw new Error(`expected a TokenError, got ${String(error)}`);
  return error.reason;
}

describe('tokens of an OIDC identity provider', () => {
  it('gives the principal of a valid token, finding the keys by discovery', async () => {
    await expect(createTokenVerifier(oidcSettings)(await providerToken(firstKey))).resolves.toEqual(officer);
    expect(provider.requested).toEqual(['/realms/lien-thong/.well-known/openid-configuration', '/realms/lien-thong/protocol/openid-connect/certs']);
  });

  it('goes straight to AUTH_OIDC_JWKS_URL when it is set, and keeps the keys', async () => {
    const verify = createTokenVerifier({ ...oidcSettings, AUTH_OIDC_JWKS_URL: provider.jwksUrl });
    await verify(await providerToken(firstKey));
    await verify(await providerToken(firstKey));
    expect(provider.requested).toEqual(['/realms/lien-thong/protocol/openid-connect/certs']);
  });

  it('expects AUTH_OIDC_AUDIENCE when it is set', async () => {
    const verify = createTokenVerifier({ ...oidcSettings, AUTH_OIDC_AUDIENCE: 'lien-thong-api-production' });
    await expect(verify(await providerToken(firstKey, { aud: 'lien-thong-api-production' }))).resolves.toEqual(officer);
    expect(await reasonOf(verify(await providerToken(firstKey)))).toBe('wrong-audience');
  });

  it.each<[string, () => TokenOptions, TokenFailure]>([
    ['another issuer', () => ({ iss: settings.AUTH_JWT_ISSUER }), 'wrong-issuer'],
    ['another audience', () => ({ aud: 'account' }), 'wrong-audience'],
    ['an expired token', () => ({ iat: now() - 7200, exp: now() - 3600 }), 'expired'],
    ['a token living longer than AUTH_TOKEN_MAX_TTL', () => ({ exp: now() + settings.AUTH_TOKEN_MAX_TTL + 60 }), 'too-long-lived'],
    ['a token issued ten years ahead, valid for an hour from then', () => ({ iat: now() + 10 * 365 * 86_400, exp: now() + 10 * 365 * 86_400 + 3600 }), 'issued-in-future'],
  ])('refuses %s', async (_case, options, reason) => {
    expect(await reasonOf(createTokenVerifier(oidcSettings)(await providerToken(firstKey, options())))).toBe(reason);
  });

  it('refuses an HS256 token, even one signed with the development secret', async () => {
    const hs256 = await new SignJWT({ role: 'SUPERVISOR', jurisdiction: { scope: 'NATIONAL' } })
      .setProtectedHeader({ alg: 'HS256', kid: firstKey.kid })
      .setSubject('forger')
      .setIssuer(provider.issuer)
      .setAudience(settings.AUTH_JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(DEVELOPMENT_JWT_SECRET));
    expect(await reasonOf(createTokenVerifier(oidcSettings)(hs256))).toBe('malformed');
  });

  it('refuses a token signed with a key the provider does not publish', async () => {
    const stranger = await signingKey(firstKey.kid);
    expect(await reasonOf(createTokenVerifier(oidcSettings)(await providerToken(stranger)))).toBe('bad-signature');
  });

  it('follows a key rotation: a new kid makes it fetch the keys again', async () => {
    const verify = createTokenVerifier(oidcSettings);
    await verify(await providerToken(firstKey));
    const secondKey = await signingKey('key-2');
    provider.published = [secondKey];
    // jose refetches for an unknown kid at most every 30 s; step past that cooldown.
    const later = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 31_000);
    try {
      await expect(verify(await providerToken(secondKey))).resolves.toEqual(officer);
      expect(await reasonOf(verify(await providerToken(firstKey)))).toBe('bad-signature');
    } finally {
      later.mockRestore();
    }
  });

  it("answers 'key-unavailable' when the provider cannot be reached", async () => {
    const issuer = await unreachableIssuer();
    expect(await reasonOf(createTokenVerifier({ ...settings, AUTH_OIDC_ISSUER: issuer })(await providerToken(firstKey, { iss: issuer })))).toBe('key-unavailable');
    const jwksDown = { ...oidcSettings, AUTH_OIDC_JWKS_URL: `${issuer}/protocol/openid-connect/certs` };
    expect(await reasonOf(createTokenVerifier(jwksDown)(await providerToken(firstKey)))).toBe('key-unavailable');
  });

  it('tries discovery again once the provider is back', async () => {
    const verify = createTokenVerifier(oidcSettings);
    provider.up = false;
    expect(await reasonOf(verify(await providerToken(firstKey)))).toBe('key-unavailable');
    provider.up = true;
    await expect(verify(await providerToken(firstKey))).resolves.toEqual(officer);
  });
});

describe('the API signing in through the provider', () => {
  let logged = '';
  const apps: FastifyInstance[] = [];

  /** A tiny API behind authPlugin: GET /v1/me answers the caller's principal. */
  async function startApi(tokens: VerifySettings): Promise<(token: string) => Promise<Response>> {
    const sink = new Writable({ write: (chunk, _encoding, done) => ((logged += String(chunk)), done()) });
    const app = Fastify({ logger: { level: 'trace', stream: sink } });
    await app.register(authPlugin, { tokens });
    app.get('/v1/me', { preHandler: requirePermission('dossier.read') }, async (request) => principalOf(request));
    apps.push(app);
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    return (token) => fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  }

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  it('answers 200 with the principal of a provider token, 401 to a bad one', async () => {
    const me = await startApi(oidcSettings);
    const ok = await me(await providerToken(firstKey));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual(officer);

    const expired = await me(await providerToken(firstKey, { iat: now() - 7200, exp: now() - 3600 }));
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token", error_description="token has expired"');
  });

  it('answers 503 with Retry-After, not 401, while the provider is unreachable', async () => {
    const issuer = await unreachableIssuer();
    const token = await providerToken(firstKey, { iss: issuer });
    const response = await (await startApi({ ...settings, AUTH_OIDC_ISSUER: issuer }))(token);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 503, title: 'Identity provider unavailable' });
    expect(logged).toContain('identity provider unavailable');
    expect(logged).not.toContain(token.split('.')[2]);
  });
});

describe("the console's sign-in options", () => {
  let openId: OpenIdProvider;
  const audience = 'https://lien-thong.example/api';
  const signIn = (env: NodeJS.ProcessEnv = {}) => identityProviderOptions(openId.issuer, loadConfig({ AUTH_OIDC_ISSUER: openId.issuer, AUTH_OIDC_AUDIENCE: audience, ...env }));

  beforeAll(async () => {
    openId = await startOpenIdProvider({ audience });
  });
  afterAll(async () => {
    await openId.stop();
  });

  it("give the provider's endpoints, asking for the API's audience as a resource indicator when it is an absolute URI", async () => {
    expect(await signIn()).toEqual({
      reachable: true,
      issuer: openId.issuer,
      clientId: 'lien-thong-console',
      scope: 'openid',
      resource: audience,
      authorizationEndpoint: `${openId.issuer}/auth`,
      tokenEndpoint: `${openId.issuer}/token`,
      endSessionEndpoint: `${openId.issuer}/session/end`,
    });
    // A bare client id cannot be a resource: the provider is then expected to add the audience itself.
    const keycloakLike = await signIn({ AUTH_OIDC_AUDIENCE: 'lien-thong-api' });
    expect(keycloakLike).not.toHaveProperty('resource');
    expect(keycloakLike).not.toHaveProperty('audience');
  });

  it('ask by the `audience` parameter, or by scope alone, when configured so', async () => {
    expect(await signIn({ AUTH_OIDC_AUDIENCE_PARAMETER: 'audience' })).toMatchObject({ audience, scope: 'openid' });
    expect(await signIn({ AUTH_OIDC_AUDIENCE_PARAMETER: 'audience' })).not.toHaveProperty('resource');
    const byScope = await signIn({ AUTH_OIDC_AUDIENCE_PARAMETER: 'none', AUTH_OIDC_SCOPE: 'openid api://lien-thong/access' });
    expect(byScope).toMatchObject({ reachable: true, scope: 'openid api://lien-thong/access' });
    expect(byScope).not.toHaveProperty('resource');
  });

  it('say the provider is unreachable when its discovery or its keys do not answer', async () => {
    const down = await unreachableIssuer();
    expect(await identityProviderOptions(down, loadConfig({ AUTH_OIDC_ISSUER: down }))).toEqual({ reachable: false, issuer: down });
    expect(await signIn({ AUTH_OIDC_JWKS_URL: `${down}/jwks` })).toEqual({ reachable: false, issuer: openId.issuer });
  });

  it('look at the provider again after a few seconds, not at every request', async () => {
    const options = () => identityProviderOptions(provider.issuer, loadConfig({ AUTH_OIDC_ISSUER: provider.issuer }));
    provider.up = false;
    expect(await options()).toMatchObject({ reachable: false });
    provider.up = true;
    expect(await options()).toMatchObject({ reachable: false });
    expect(provider.requested).toHaveLength(1);
    const later = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 3_100);
    try {
      expect(await options()).toMatchObject({ reachable: true, authorizationEndpoint: `${provider.issuer}/protocol/openid-connect/auth` });
    } finally {
      later.mockRestore();
    }
  });
});

describe('configuration', () => {
  const production = { AUTH_OIDC_ISSUER: 'https://keycloak.example/realms/lien-thong' };
  const refusal = (env: NodeJS.ProcessEnv): string => {
    try {
      loadConfig(env);
      return 'accepted';
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
  };

  it('needs no AUTH_JWT_SECRET outside development mode once an issuer is set', () => {
    expect(loadConfig(production)).toMatchObject({ ...production, AUTH_OIDC_CLIENT_ID: 'lien-thong-console' });
  });

  it('still refuses the development secret outside development mode, saying it may be left unset', () => {
    const message = refusal({ ...production, AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET });
    expect(message).toContain('AUTH_JWT_SECRET: is the public development secret');
    expect(message).toContain('leave it unset since AUTH_OIDC_ISSUER signs the tokens');
    // Without an issuer, leaving it unset is no way out.
    expect(refusal({ AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET })).not.toContain('leave it unset');
  });

  it('refuses provider settings without an issuer, which would be silently ignored', () => {
    const message = refusal({ LIEN_THONG_DEV_MODE: 'true', AUTH_OIDC_JWKS_URL: 'https://keycloak.example/certs', AUTH_OIDC_AUDIENCE: 'lien-thong-api', AUTH_OIDC_AUDIENCE_PARAMETER: 'none' });
    expect(message).toContain('AUTH_OIDC_JWKS_URL: needs AUTH_OIDC_ISSUER');
    expect(message).toContain('AUTH_OIDC_AUDIENCE: needs AUTH_OIDC_ISSUER');
    expect(message).toContain('AUTH_OIDC_AUDIENCE_PARAMETER: needs AUTH_OIDC_ISSUER');
  });

  it('refuses a resource indicator that is not an absolute URI, and scopes that are not a space-separated list', () => {
    expect(refusal({ ...production, AUTH_OIDC_AUDIENCE_PARAMETER: 'resource' })).toContain('AUTH_OIDC_AUDIENCE_PARAMETER: resource needs an audience that is an absolute URI');
    expect(refusal({ ...production, AUTH_OIDC_AUDIENCE_PARAMETER: 'resource', AUTH_OIDC_AUDIENCE: 'https://lien-thong.example/api#v1' })).toContain('absolute URI');
    expect(loadConfig({ ...production, AUTH_OIDC_AUDIENCE_PARAMETER: 'resource', AUTH_OIDC_AUDIENCE: 'urn:lien-thong:api' })).toMatchObject({ AUTH_OIDC_AUDIENCE_PARAMETER: 'resource' });
    expect(refusal({ ...production, AUTH_OIDC_SCOPE: ' openid' })).toContain('AUTH_OIDC_SCOPE');
    expect(refusal({ ...production, AUTH_OIDC_SCOPE: 'openid  profile' })).toContain('AUTH_OIDC_SCOPE');
  });
});
