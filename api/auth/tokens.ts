import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { providerAudience } from './identity-provider';
import { discoverProvider } from './oidc-discovery';
import { principalClaims, principalClaimsSchema, type Principal } from '../../domain/principal';
import type { Config } from '../../runtime/config';

/**
 * The API's bearer tokens. Two sources of trust, one set of rules:
 * - development and tests: JWTs the API issues itself (dev tokens, `npm run token`), HS256 under one
 *   shared secret from configuration;
 * - production (AUTH_OIDC_ISSUER set): JWTs of an OIDC identity provider, checked against the keys it
 *   publishes (JWKS), asymmetric algorithms only: JWT access tokens for this API's audience (the
 *   console asks for them, see identity-provider.ts). The provider puts this API's claims (`role`,
 *   `agency`, `jurisdiction` as a JSON object, `facility`) at the top level of the access token, as
 *   Keycloak's protocol mappers do, so both kinds of token read the same way.
 */
export type TokenSettings = Pick<Config, 'AUTH_JWT_SECRET' | 'AUTH_JWT_ISSUER' | 'AUTH_JWT_AUDIENCE' | 'AUTH_TOKEN_TTL' | 'AUTH_TOKEN_MAX_TTL'>;
export type VerifySettings = Pick<
  Config,
  'AUTH_JWT_SECRET' | 'AUTH_JWT_ISSUER' | 'AUTH_JWT_AUDIENCE' | 'AUTH_TOKEN_MAX_TTL' | 'AUTH_OIDC_ISSUER' | 'AUTH_OIDC_JWKS_URL' | 'AUTH_OIDC_AUDIENCE'
>;

const algorithm = 'HS256';
/**
 * What an identity provider may sign with: public-key algorithms only, so a token signed with HS256
 * (with the public key as the "secret", or any other) is refused before any key is looked at.
 */
const identityProviderAlgorithms = ['RS256', 'PS256', 'ES256', 'EdDSA'];
/** Tolerated clock difference between the issuing and the checking machine. */
const clockToleranceSeconds = 30;

/** 'key-unavailable' is the provider's fault, not the caller's: the API answers it 503, not 401. */
export type TokenFailure =
  | 'malformed'
  | 'bad-signature'
  | 'expired'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'too-long-lived'
  | 'issued-in-future'
  | 'invalid-claims'
  | 'key-unavailable';

/** Why a token was refused. The message never contains the token or its claims' values. */
export class TokenError extends Error {
  constructor(
    readonly reason: TokenFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TokenError';
  }
}

const keyOf = (settings: Pick<TokenSettings, 'AUTH_JWT_SECRET'>): Uint8Array => new TextEncoder().encode(settings.AUTH_JWT_SECRET);

export interface SignOptions {
  /** Lifetime in seconds; the configured AUTH_TOKEN_TTL by default. */
  ttlSeconds?: number;
  /** The issue time; now by default. Tests use it to make expired tokens. */
  issuedAt?: Date;
}

export async function signToken(settings: TokenSettings, principal: Principal, options: SignOptions = {}): Promise<string> {
  const { sub, ...claims } = principalClaims(principal);
  const issuedAt = Math.floor((options.issuedAt ?? new Date()).getTime() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(settings.AUTH_JWT_ISSUER)
    .setAudience(settings.AUTH_JWT_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (options.ttlSeconds ?? settings.AUTH_TOKEN_TTL))
    .sign(keyOf(settings));
}

export type TokenVerifier = (token: string) => Promise<Principal>;

/** Whom a token must come from and be for, and how its signing key is found. */
interface Trust {
  key: JWTVerifyGetKey;
  algorithms: string[];
  issuer: string;
  audience: string;
}

/**
 * Checks signature, algorithm (no `none`, no algorithm confusion), issuer, audience, expiry, issue
 * time (not in the future) and lifetime (a token valid for years is as good as a stolen password), then reads the claims through
 * the principal schema; the verifier throws TokenError. Build it once: it keeps the provider's keys
 * (jose refetches them for an unknown `kid`, at most every 30 s, so key rotation needs no restart).
 */
export function createTokenVerifier(settings: VerifySettings): TokenVerifier {
  const trust = settings.AUTH_OIDC_ISSUER === undefined ? sharedSecretTrust(settings) : identityProviderTrust(settings.AUTH_OIDC_ISSUER, settings);
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, trust.key, {
        algorithms: trust.algorithms,
        issuer: trust.issuer,
        audience: trust.audience,
        requiredClaims: ['sub', 'iat', 'exp'],
        clockTolerance: clockToleranceSeconds,
      }));
    } catch (error) {
      throw tokenErrorFrom(error);
    }
    return principalFrom(payload, settings.AUTH_TOKEN_MAX_TTL, Math.floor(Date.now() / 1000));
  };
}

/** One token, one verifier: for scripts and tests. A server keeps the verifier (and its keys) instead. */
export function verifyToken(settings: VerifySettings, token: string): Promise<Principal> {
  return createTokenVerifier(settings)(token);
}

function sharedSecretTrust(settings: VerifySettings): Trust {
  const key = keyOf(settings);
  return { key: async () => key, algorithms: [algorithm], issuer: settings.AUTH_JWT_ISSUER, audience: settings.AUTH_JWT_AUDIENCE };
}

function identityProviderTrust(issuer: string, settings: VerifySettings): Trust {
  return {
    key: identityProviderKeys(issuer, settings.AUTH_OIDC_JWKS_URL),
    algorithms: identityProviderAlgorithms,
    issuer,
    audience: providerAudience(settings),
  };
}

/**
 * The provider's key set, found at first use (so the API starts while the provider is down) and kept.
 * A failure to reach it becomes 'key-unavailable'; a failed discovery is retried with the next token.
 */
function identityProviderKeys(issuer: string, jwksUrl: string | undefined): JWTVerifyGetKey {
  let keySet: Promise<JWTVerifyGetKey> | undefined;
  const load = async (): Promise<JWTVerifyGetKey> => createRemoteJWKSet(new URL(jwksUrl ?? (await discoverProvider(issuer)).jwks_uri));
  return async (header, token) => {
    try {
      keySet ??= load().catch((error: unknown) => {
        keySet = undefined;
        throw error;
      });
      return await (await keySet)(header, token);
    } catch (error) {
      // No key for the token's `kid` (or several) is the token's fault; anything else, the provider's.
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new TokenError('key-unavailable', "the identity provider's signing keys cannot be fetched", { cause: error });
    }
  };
}

function principalFrom(payload: JWTPayload, maxTtlSeconds: number, nowSeconds: number): Principal {
  const { iat, exp } = payload as { iat: number; exp: number };
  // The lifetime cap measures exp − iat: an iat moved into the future would let a token stay valid
  // for as long as its signer likes, so iat may be ahead of this clock by the tolerance only.
  if (iat > nowSeconds + clockToleranceSeconds) throw new TokenError('issued-in-future', 'token is issued in the future');
  if (exp - iat > maxTtlSeconds) throw new TokenError('too-long-lived', 'token lifetime exceeds the accepted maximum');
  const parsed = principalClaimsSchema.safeParse(payload);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))];
    throw new TokenError('invalid-claims', `token claims are invalid: ${fields.join(', ')}`);
  }
  return parsed.data;
}

function tokenErrorFrom(error: unknown): TokenError {
  if (error instanceof TokenError) return error;
  if (error instanceof errors.JWTExpired) return new TokenError('expired', 'token has expired');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new TokenError('bad-signature', 'token signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey) return new TokenError('bad-signature', 'token is signed with a key the identity provider does not publish');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return new TokenError('wrong-issuer', 'token was issued by someone else');
    if (error.claim === 'aud') return new TokenError('wrong-audience', 'token is meant for another service');
    return new TokenError('invalid-claims', `token claim ${error.claim} is invalid`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new TokenError('malformed', 'token algorithm is not accepted');
  if (error instanceof errors.JOSEError) return new TokenError('malformed', 'token is not a valid JWT');
  // Not jose's: a bug or an unexpected runtime failure, which must not pass as a bad token.
  throw error;
}
