import { errors, jwtVerify, SignJWT } from 'jose';
import { principalClaims, principalClaimsSchema, type Principal } from '../../domain/principal';
import type { Config } from '../../runtime/config';

/**
 * The API's bearer tokens: JWTs signed with HS256 under one shared secret from configuration. The
 * API both issues (dev tokens, `npm run token`) and checks them, so a symmetric key is enough; a move
 * to an identity provider would swap this module for a JWKS-based verifier with the same signatures.
 */
export type TokenSettings = Pick<Config, 'AUTH_JWT_SECRET' | 'AUTH_JWT_ISSUER' | 'AUTH_JWT_AUDIENCE' | 'AUTH_TOKEN_TTL' | 'AUTH_TOKEN_MAX_TTL'>;
export type VerifySettings = Pick<TokenSettings, 'AUTH_JWT_SECRET' | 'AUTH_JWT_ISSUER' | 'AUTH_JWT_AUDIENCE' | 'AUTH_TOKEN_MAX_TTL'>;

const algorithm = 'HS256';
/** Tolerated clock difference between the issuing and the checking machine. */
const clockToleranceSeconds = 30;

export type TokenFailure = 'malformed' | 'bad-signature' | 'expired' | 'wrong-issuer' | 'wrong-audience' | 'too-long-lived' | 'invalid-claims';

/** Why a token was refused. The message never contains the token or its claims' values. */
export class TokenError extends Error {
  constructor(
    readonly reason: TokenFailure,
    message: string,
  ) {
    super(message);
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

/**
 * Checks signature, algorithm (HS256 only: no `none`, no algorithm confusion), issuer, audience,
 * expiry and lifetime (a token valid for years is as good as a stolen password), then reads the claims
 * through the principal schema. Throws TokenError.
 */
export async function verifyToken(settings: VerifySettings, token: string): Promise<Principal> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keyOf(settings), {
      algorithms: [algorithm],
      issuer: settings.AUTH_JWT_ISSUER,
      audience: settings.AUTH_JWT_AUDIENCE,
      requiredClaims: ['sub', 'iat', 'exp'],
      clockTolerance: clockToleranceSeconds,
    }));
  } catch (error) {
    throw tokenErrorFrom(error);
  }
  const { iat, exp } = payload as { iat: number; exp: number };
  if (exp - iat > settings.AUTH_TOKEN_MAX_TTL) throw new TokenError('too-long-lived', 'token lifetime exceeds the accepted maximum');
  const parsed = principalClaimsSchema.safeParse(payload);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))];
    throw new TokenError('invalid-claims', `token claims are invalid: ${fields.join(', ')}`);
  }
  return parsed.data;
}

function tokenErrorFrom(error: unknown): TokenError {
  if (error instanceof errors.JWTExpired) return new TokenError('expired', 'token has expired');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new TokenError('bad-signature', 'token signature does not verify');
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
