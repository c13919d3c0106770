import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** A key of the test identity provider: the private half signs, the public half is published. */
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
 * A Keycloak-like realm on a real local port: OpenID configuration, JWKS, and the Authorization Code
 * flow with PKCE as a signed-in user meets it (the login form itself is the provider's business: here
 * the user is already signed in, so /auth sends the browser straight back with a code).
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
  /** The claims of the user signed in at the provider, put in the access tokens it issues. */
  user: Record<string, unknown> & { sub: string };
  /** The audience of the access tokens it issues (the API's client id, by an audience mapper). */
  audience: string;
  server: Server;
  stop(): Promise<void>;
}

interface PendingCode {
  challenge: string;
  redirectUri: string;
  clientId: string;
}

const json = (body: unknown) => JSON.stringify(body);

export async function startIdentityProvider(published: SigningKey[], audience = 'lien-thong-api'): Promise<IdentityProvider> {
  const realm = '/realms/lien-thong';
  const codes = new Map<string, PendingCode>();
  const provider = { published, up: true, requested: [] as string[], audience, user: { sub: 'idp-user' } } as IdentityProvider;
  const endpoint = (path: string) => `${provider.issuer}/protocol/openid-connect/${path}`;

  provider.server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', provider.issuer);
    provider.requested.push(request.url ?? '');
    // A browser calls the token endpoint from the console's origin (Keycloak's "web origins").
    const send = (status: number, body: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' }).end(json(body));
    if (!provider.up) return send(503, {});
    if (url.pathname === `${realm}/.well-known/openid-configuration`) {
      return send(200, { issuer: provider.issuer, jwks_uri: provider.jwksUrl, authorization_endpoint: endpoint('auth'), token_endpoint: endpoint('token') });
    }
    if (url.pathname === `${realm}/protocol/openid-connect/certs`) return send(200, { keys: provider.published.map((key) => key.jwk) });
    if (url.pathname === `${realm}/protocol/openid-connect/auth`) {
      const q = url.searchParams;
      if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) return send(400, { error: 'invalid_request' });
      const code = randomUUID();
      codes.set(code, { challenge: q.get('code_challenge')!, redirectUri: q.get('redirect_uri')!, clientId: q.get('client_id')! });
      const back = new URL(q.get('redirect_uri')!);
      back.search = new URLSearchParams({ code, state: q.get('state') ?? '' }).toString();
      return response.writeHead(302, { location: back.toString() }).end();
    }
    if (url.pathname === `${realm}/protocol/openid-connect/token` && request.method === 'POST') {
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      request.on('end', () => {
        const form = new URLSearchParams(raw);
        const pending = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? ''); // a code is good once
        const verifier = form.get('code_verifier') ?? '';
        const proof = createHash('sha256').update(verifier).digest('base64url');
        if (!pending || form.get('grant_type') !== 'authorization_code' || proof !== pending.challenge || form.get('redirect_uri') !== pending.redirectUri || form.get('client_id') !== pending.clientId) {
          return send(400, { error: 'invalid_grant' });
        }
        void accessToken(provider).then((token) => send(200, { access_token: token, token_type: 'Bearer', expires_in: 300 }));
      });
      return;
    }
    return send(404, {});
  });
  await new Promise<void>((resolve) => provider.server.listen(0, '127.0.0.1', resolve));
  const { port } = provider.server.address() as AddressInfo;
  provider.issuer = `http://127.0.0.1:${port}${realm}`;
  provider.jwksUrl = `${provider.issuer}/protocol/openid-connect/certs`;
  provider.stop = () => new Promise((resolve) => provider.server.close(() => resolve()));
  return provider;
}

/** An access token for the signed-in user, as Keycloak issues it with this API's protocol mappers. */
export function accessToken(provider: IdentityProvider, key = provider.published[0]!): Promise<string> {
  const { sub, ...claims } = provider.user;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims, azp: 'lien-thong-console', scope: 'openid' })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(provider.issuer)
    .setAudience(provider.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(key.privateKey);
}
