import { SignJWT } from 'jose';
import { signToken, verifyToken } from '../../api/auth/tokens';
import { settings } from '../support/token-settings';
import type { Principal } from '../../domain/principal';
import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig } from '../../runtime/config';

const supervisor: Principal = { role: 'SUPERVISOR', subject: 'supervisor-1', agency: null, jurisdiction: { scope: 'NATIONAL' } };
const key = new TextEncoder().encode(settings.AUTH_JWT_SECRET);

/** A token signed with the right key, issuer and audience unless told otherwise. */
function token(claims: { aud?: string; iat?: number; exp?: number }): Promise<string> {
  const jwt = new SignJWT({ role: 'SUPERVISOR', jurisdiction: { scope: 'NATIONAL' } }).setProtectedHeader({ alg: 'HS256' }).setSubject('supervisor-1').setIssuer(settings.AUTH_JWT_ISSUER);
  if (claims.aud !== undefined) jwt.setAudience(claims.aud);
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
  return jwt.sign(key);
}
const now = () => Math.floor(Date.now() / 1000);

describe('token policy', () => {
  it('accepts a token it issued, for its audience', async () => {
    await expect(verifyToken(settings, await signToken(settings, supervisor))).resolves.toMatchObject({ role: 'SUPERVISOR' });
  });

  it('refuses a token for another audience, or for none', async () => {
    await expect(verifyToken(settings, await token({ aud: 'another-service', iat: now(), exp: now() + 60 }))).rejects.toMatchObject({ reason: 'wrong-audience' });
    await expect(verifyToken(settings, await token({ iat: now(), exp: now() + 60 }))).rejects.toMatchObject({ reason: 'wrong-audience' });
  });

  it('refuses a token valid until year 9999, or longer-lived than the maximum', async () => {
    const year9999 = Date.UTC(9999, 0, 1) / 1000;
    await expect(verifyToken(settings, await token({ aud: settings.AUTH_JWT_AUDIENCE, iat: now(), exp: year9999 }))).rejects.toMatchObject({ reason: 'too-long-lived' });
    await expect(verifyToken(settings, await token({ aud: settings.AUTH_JWT_AUDIENCE, iat: now(), exp: now() + settings.AUTH_TOKEN_MAX_TTL + 60 }))).rejects.toMatchObject({
      reason: 'too-long-lived',
    });
  });

  it('refuses a token issued in the future, which the lifetime cap alone would let live for years', async () => {
    const tenYears = 10 * 365 * 86_400;
    const future = await token({ aud: settings.AUTH_JWT_AUDIENCE, iat: now() + tenYears, exp: now() + tenYears + 3600 });
    await expect(verifyToken(settings, future)).rejects.toMatchObject({ reason: 'issued-in-future' });
    await expect(verifyToken(settings, await token({ aud: settings.AUTH_JWT_AUDIENCE, iat: now() + 120, exp: now() + 3600 }))).rejects.toMatchObject({ reason: 'issued-in-future' });
    // A signer whose clock runs a few seconds ahead is within the tolerance.
    await expect(verifyToken(settings, await token({ aud: settings.AUTH_JWT_AUDIENCE, iat: now() + 10, exp: now() + 3600 }))).resolves.toMatchObject({ role: 'SUPERVISOR' });
  });

  it('refuses a token without exp or without iat', async () => {
    await expect(verifyToken(settings, await token({ aud: settings.AUTH_JWT_AUDIENCE, iat: now() }))).rejects.toMatchObject({ reason: 'invalid-claims' });
    await expect(verifyToken(settings, await token({ aud: settings.AUTH_JWT_AUDIENCE, exp: now() + 60 }))).rejects.toMatchObject({ reason: 'invalid-claims' });
  });
});

describe('development secret only in development mode', () => {
  const refusal = (env: NodeJS.ProcessEnv): string => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    return 'accepted';
  };

  it('refuses to start without AUTH_JWT_SECRET, naming it', () => {
    expect(refusal({})).toContain('AUTH_JWT_SECRET');
  });

  it('refuses the development secret outside development mode', () => {
    expect(refusal({ AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET })).toContain('AUTH_JWT_SECRET');
    expect(refusal({ AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET, LIEN_THONG_DEV_MODE: 'false' })).toContain('AUTH_JWT_SECRET');
  });

  it("refuses the deployment example's placeholders, in any mode, naming the variable and not the value", () => {
    const jwtPlaceholder = 'CHANGE-ME-to-a-random-secret-of-at-least-32-characters';
    const message = refusal({
      AUTH_JWT_SECRET: jwtPlaceholder,
      RECEIPT_CODE_KEY: 'CHANGE-ME-to-another-random-secret-of-at-least-32-characters',
      DATABASE_URL: 'postgresql://lien_thong:CHANGE-ME@db.example:5432/lien_thong',
    });
    expect(message).toContain('AUTH_JWT_SECRET: still holds');
    expect(message).toContain('RECEIPT_CODE_KEY: still holds');
    expect(message).toContain('DATABASE_URL: still holds');
    expect(message).not.toContain(jwtPlaceholder);
    expect(refusal({ LIEN_THONG_DEV_MODE: 'true', AUTH_JWT_SECRET: jwtPlaceholder })).toContain('AUTH_JWT_SECRET');
    // A host whose name merely contains the letters is no placeholder.
    expect(loadConfig({ AUTH_JWT_SECRET: settings.AUTH_JWT_SECRET, DATABASE_URL: 'postgresql://u:p@exchange-metrics.example:5432/db' }).DATABASE_URL).toContain('exchange-metrics');
  });

  it('uses the development secret when development mode is on, never in production', () => {
    expect(loadConfig({ LIEN_THONG_DEV_MODE: 'true' }).AUTH_JWT_SECRET).toBe(DEVELOPMENT_JWT_SECRET);
    expect(refusal({ LIEN_THONG_DEV_MODE: 'true', NODE_ENV: 'production' })).toContain('LIEN_THONG_DEV_MODE');
    expect(refusal({ LIEN_THONG_DEV_MODE: 'yes' })).toContain('LIEN_THONG_DEV_MODE');
  });

  it('runs with a private secret and no development mode', () => {
    expect(loadConfig({ AUTH_JWT_SECRET: settings.AUTH_JWT_SECRET }).LIEN_THONG_DEV_MODE).toBe(false);
  });

  it('refuses a token lifetime above the maximum it accepts', () => {
    expect(refusal({ LIEN_THONG_DEV_MODE: 'true', AUTH_TOKEN_TTL: '2d', AUTH_TOKEN_MAX_TTL: '1d' })).toContain('AUTH_TOKEN_TTL');
  });
});
