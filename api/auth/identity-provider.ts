import { z } from 'zod';
import { isResourceIndicator, type Config } from '../../runtime/config';
import { probeProvider, type OpenIdProvider } from './oidc-discovery';

/**
 * What the console is told about the deployment's identity provider, and whether the provider answers.
 * A provider gives a JWT access token for this API only when asked for it: by a resource indicator
 * (RFC 8707), by an `audience` parameter, or by a scope; otherwise many issue an opaque token, for
 * their own userinfo endpoint, which the API cannot verify.
 */
export type IdentityProviderSettings = Pick<
  Config,
  'AUTH_JWT_AUDIENCE' | 'AUTH_OIDC_ISSUER' | 'AUTH_OIDC_JWKS_URL' | 'AUTH_OIDC_AUDIENCE' | 'AUTH_OIDC_AUDIENCE_PARAMETER' | 'AUTH_OIDC_SCOPE' | 'AUTH_OIDC_CLIENT_ID'
>;

/** The `aud` every provider token must carry. */
export const providerAudience = (settings: Pick<Config, 'AUTH_JWT_AUDIENCE' | 'AUTH_OIDC_AUDIENCE'>): string => settings.AUTH_OIDC_AUDIENCE ?? settings.AUTH_JWT_AUDIENCE;

/** How the console names the audience to the provider; unset, as a resource indicator when it can be one. */
export function audienceParameter(settings: Pick<Config, 'AUTH_JWT_AUDIENCE' | 'AUTH_OIDC_AUDIENCE' | 'AUTH_OIDC_AUDIENCE_PARAMETER'>): 'resource' | 'audience' | 'none' {
  return settings.AUTH_OIDC_AUDIENCE_PARAMETER ?? (isResourceIndicator(providerAudience(settings)) ? 'resource' : 'none');
}

export const identityProviderOptionsSchema = z.discriminatedUnion('reachable', [
  z.object({
    reachable: z.literal(true),
    issuer: z.string(),
    clientId: z.string(),
    /** The scopes to ask for. */
    scope: z.string(),
    /** Sent as `resource` in the authorization and the token request (RFC 8707). */
    resource: z.string().optional(),
    /** Sent as `audience` in the authorization request. */
    audience: z.string().optional(),
    authorizationEndpoint: z.string(),
    tokenEndpoint: z.string(),
    endSessionEndpoint: z.string().optional(),
  }),
  // Its discovery or its keys do not answer: signing in now would fail at the provider or at the API.
  z.object({ reachable: z.literal(false), issuer: z.string() }),
]);
export type IdentityProviderOptions = z.infer<typeof identityProviderOptionsSchema>;

/** The sign-in page waits this long for the provider. */
const probeTimeoutMs = 2_000;
/** The sign-in options are public: one look at the provider answers every request for this long, so anonymous callers cannot multiply the requests it receives. */
const probeReuseMs = 3_000;
let lastProbe: { key: string; at: number; result: Promise<OpenIdProvider> } | undefined;

function recentProbe(issuer: string, jwksUrl: string | undefined): Promise<OpenIdProvider> {
  const key = `${issuer} ${jwksUrl ?? ''}`;
  const now = Date.now();
  if (lastProbe?.key !== key || now - lastProbe.at > probeReuseMs) lastProbe = { key, at: now, result: probeProvider(issuer, jwksUrl, probeTimeoutMs) };
  return lastProbe.result;
}

/** The console's sign-in through the provider: its endpoints, read afresh (within seconds) so that an outage is seen at once. */
export async function identityProviderOptions(issuer: string, settings: IdentityProviderSettings): Promise<IdentityProviderOptions> {
  let provider: OpenIdProvider;
  try {
    provider = await recentProbe(issuer, settings.AUTH_OIDC_JWKS_URL);
  } catch {
    return { reachable: false, issuer };
  }
  // Naming no endpoint for a browser, it is as good as unreachable for the console.
  if (!provider.authorization_endpoint || !provider.token_endpoint) return { reachable: false, issuer };
  const audience = providerAudience(settings);
  const parameter = audienceParameter(settings);
  return {
    reachable: true,
    issuer,
    clientId: settings.AUTH_OIDC_CLIENT_ID,
    scope: settings.AUTH_OIDC_SCOPE,
    ...(parameter === 'resource' ? { resource: audience } : {}),
    ...(parameter === 'audience' ? { audience } : {}),
    authorizationEndpoint: provider.authorization_endpoint,
    tokenEndpoint: provider.token_endpoint,
    ...(provider.end_session_endpoint ? { endSessionEndpoint: provider.end_session_endpoint } : {}),
  };
}
