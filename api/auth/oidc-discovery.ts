import { z } from 'zod';

/**
 * An OpenID provider's configuration (OIDC Discovery 1.0): where its keys are, where a browser signs
 * in and where a code becomes a token. Read once and kept; a failure is retried at the next use.
 */
const discoveryTimeoutMs = 5_000;

const providerSchema = z.object({
  issuer: z.string(),
  jwks_uri: z.url(),
  authorization_endpoint: z.url().optional(),
  token_endpoint: z.url().optional(),
  end_session_endpoint: z.url().optional(),
});
export type OpenIdProvider = z.infer<typeof providerSchema>;
const keySetSchema = z.object({ keys: z.array(z.object({ kty: z.string() })).min(1) });

const cache = new Map<string, Promise<OpenIdProvider>>();

export function discoverProvider(issuer: string): Promise<OpenIdProvider> {
  let found = cache.get(issuer);
  if (!found) {
    found = fetchConfiguration(issuer).catch((error: unknown) => {
      cache.delete(issuer);
      throw error;
    });
    cache.set(issuer, found);
  }
  return found;
}

/**
 * Whether the provider answers now, for readiness and the sign-in page: its configuration read afresh
 * (and kept for verification) and its key set, all within `timeoutMs`.
 */
export async function probeProvider(issuer: string, jwksUrl: string | undefined, timeoutMs: number): Promise<OpenIdProvider> {
  const signal = AbortSignal.timeout(timeoutMs);
  const configuration = await fetchConfiguration(issuer, signal);
  cache.set(issuer, Promise.resolve(configuration));
  const keys = await fetch(jwksUrl ?? configuration.jwks_uri, { signal });
  if (!keys.ok) throw new Error(`JWKS answered HTTP ${keys.status}`);
  keySetSchema.parse(await keys.json());
  return configuration;
}

/** The configuration must name the configured issuer (OIDC Discovery §4.3): no provider speaks for another. */
async function fetchConfiguration(issuer: string, signal = AbortSignal.timeout(discoveryTimeoutMs)): Promise<OpenIdProvider> {
  const response = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal });
  if (!response.ok) throw new Error(`OpenID configuration answered HTTP ${response.status}`);
  const configuration = providerSchema.parse(await response.json());
  if (configuration.issuer !== issuer) throw new Error('OpenID configuration names another issuer');
  return configuration;
}
