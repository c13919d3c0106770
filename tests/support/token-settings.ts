import type { TokenSettings } from '../../api/auth/tokens';

/** Token settings of the auth tests: a private test key, an hour's tokens, a day at the most. */
export const settings: TokenSettings = {
  AUTH_JWT_SECRET: 'test-secret-of-at-least-thirty-two-characters',
  AUTH_JWT_ISSUER: 'lien-thong-test',
  AUTH_JWT_AUDIENCE: 'lien-thong-api',
  AUTH_TOKEN_TTL: 3600,
  AUTH_TOKEN_MAX_TTL: 86_400,
};
