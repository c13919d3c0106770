import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import Provider, { errors, type ClientMetadata, type ResourceServer } from 'oidc-provider';
import { principalClaims, type Principal } from '../../domain/principal';
import { freePort } from './free-port';

/** A key of the stand-in provider: the private half signs, the public half is published. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function signingKey(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/**
 * A stand-in for a Keycloak realm's discovery and keys, on a real local port: the tests of the API's
 * verification use it to publish keys of their choosing (a rotation, a stranger's key) and to fail on
 * demand. Signing in is tested against the real provider below.
 */
export interface IdentityProvider {
  issuer: string;
  jwksUrl: string;
  /** What the JWKS endpoint serves from now on: rotation is publishing another key. */
  published: SigningKey[];
  /** False: every request is answered 503, as by a provider being restarted. */
  up: boolean;
  /** Paths requested, to see whether discovery happened. */
  requested: string[];
  server: Server;
}

export async function startIdentityProvider(published: SigningKey[]): Promise<IdentityProvider> {
  const realm = '/realms/lien-thong';
  const provider = { published, up: true, requested: [] as string[] } as IdentityProvider;
  provider.server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', provider.issuer).pathname;
    provider.requested.push(request.url ?? '');
    const send = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (!provider.up) return send(503, {});
    if (path === `${realm}/.well-known/openid-configuration`) {
      // The browser's endpoints are named only: signing in is tested against the real provider.
      const endpoint = (name: string) => `${provider.issuer}/protocol/openid-connect/${name}`;
      return send(200, { issuer: provider.issuer, jwks_uri: provider.jwksUrl, authorization_endpoint: endpoint('auth'), token_endpoint: endpoint('token') });
    }
    if (path === `${realm}/protocol/openid-connect/certs`) return send(200, { keys: provider.published.map((key) => key.jwk) });
    return send(404, {});
  });
  await new Promise<void>((resolve) => provider.server.listen(0, '127.0.0.1', resolve));
  const { port } = provider.server.address() as AddressInfo;
  provider.issuer = `http://127.0.0.1:${port}${realm}`;
  provider.jwksUrl = `${provider.issuer}/protocol/openid-connect/certs`;
  return provider;
}

/** A machine client of the provider: an agency's system or a hospital's, signing in with its own secret. */
export interface MachineClient {
  principal: Principal;
  secret: string;
}

export interface OpenIdProviderOptions {
  /** Where it listens (0: any free port). Known in advance, an API can be configured with the issuer before it runs. */
  port?: number;
  /** The API as a resource server: the resource indicator (RFC 8707) that yields JWT access tokens for it. */
  audience: string;
  /** The console's origin: its public client's redirect URI (and so its CORS origin). */
  consoleOrigin?: string;
  /** People who sign in at the provider's login form, each under its subject as login name. */
  people?: Principal[];
  /** Clients of the client credentials grant, each under its subject as client id. */
  machines?: MachineClient[];
}

export interface OpenIdProvider {
  issuer: string;
  provider: Provider;
  stop(): Promise<void>;
}

/**
 * A certified OpenID provider (the `oidc-provider` package) in this process, configured as an
 * operator configures theirs for this API: the console as a public client with PKCE, machines with
 * client credentials, and the API as a resource server whose access tokens are JWTs carrying its
 * claims (`role`, `agency`, `jurisdiction`, `facility`). Its own development login form accepts any
 * password: who signs in is the test's choice, how is the provider's.
 */
export async function startOpenIdProvider(options: OpenIdProviderOptions): Promise<OpenIdProvider> {
  const port = options.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const claimsOf = new Map([...(options.people ?? []), ...(options.machines ?? []).map((m) => m.principal)].map((p) => [p.subject, principalClaims(p)]));
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const resourceServer: ResourceServer = { scope: 'api', audience: options.audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
  const clients: ClientMetadata[] = (options.machines ?? []).map(({ principal, secret }) => ({
    client_id: principal.subject,
    client_secret: secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  }));
  if (options.consoleOrigin) {
    clients.push({ client_id: 'lien-thong-console', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], response_types: ['code'], redirect_uris: [`${options.consoleOrigin}/console/dang-nhap/oidc`] });
  }
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'test-realm-key', alg: 'RS256', use: 'sig' } as JWK] },
    cookies: { keys: [randomUUID()] },
    // Short lives, said explicitly (the provider notices defaults left as they are).
    ttl: { AccessToken: 300, ClientCredentials: 300, IdToken: 300, Interaction: 600, Session: 3600, Grant: 3600 },
    clientBasedCORS: (_ctx, origin) => origin === options.consoleOrigin,
    features: {
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== options.audience) throw new errors.InvalidTarget();
          return resourceServer;
        },
      },
    },
    findAccount: (_ctx, sub) => (claimsOf.has(sub) ? { accountId: sub, claims: () => ({ sub }) } : undefined),
    // The claims a protocol mapper would add; a token for the user or, by client credentials, for the machine.
    extraTokenClaims: (_ctx, token) => {
      const owner = 'accountId' in token ? token.accountId : token.clientId;
      return owner === undefined ? undefined : claimsOf.get(owner);
    },
    // A first-party console asks no consent: its users' grant is given, as an operator sets it up.
    loadExistingGrant: async (ctx) => {
      const { client, session, result } = ctx.oidc;
      const grantId = result?.consent?.grantId ?? session?.grantIdFor(client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: client!.clientId, accountId: session!.accountId! });
      grant.addOIDCScope('openid');
      grant.addResourceScope(options.audience, 'api');
      await grant.save();
      return grant;
    },
  });
  const server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    provider,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
