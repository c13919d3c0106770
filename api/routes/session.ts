import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actions, roleMayPerform } from '../../domain/authorization';
import { jurisdictionScopeSchema, principalRoles } from '../../domain/principal';
import { developmentTokensAllowed, devPrincipals, devTokens, type DevPrincipalName } from '../auth/dev-tokens';
import { principalOf } from '../auth/plugin';
import type { TokenSettings } from '../auth/tokens';
import type { Config } from '../../runtime/config';
import { ServiceUnavailableError } from '../problem';
import { security } from '../schemas';
import { discoverProvider, type OpenIdProvider } from '../auth/oidc-discovery';

export const principalViewSchema = z.object({
  subject: z.string(),
  role: z.enum(principalRoles),
  agency: z.string().nullable(),
  jurisdiction: jurisdictionScopeSchema,
});
export const meSchema = principalViewSchema.extend({ permissions: z.array(z.enum(actions)) });
export const signInOptionsSchema = z.object({
  /** Development mode under the development secret, without an identity provider, only: one-click identities with their tokens (public identities, public secret). */
  developmentPrincipals: z.array(z.object({ name: z.string(), principal: principalViewSchema, token: z.string() })),
  /** The deployment's identity provider, for the console's Authorization Code flow with PKCE (a public client, no secret). */
  identityProvider: z
    .object({ issuer: z.string(), clientId: z.string(), authorizationEndpoint: z.string(), tokenEndpoint: z.string(), endSessionEndpoint: z.string().optional() })
    .nullable(),
  temporalUiUrl: z.string().optional(),
});
export type Me = z.infer<typeof meSchema>;
export type SignInOptions = z.infer<typeof signInOptionsSchema>;

export interface SessionRouteDependencies {
  config: TokenSettings & Pick<Config, 'LIEN_THONG_DEV_MODE' | 'AUTH_OIDC_ISSUER' | 'AUTH_OIDC_CLIENT_ID'>;
  temporalUiUrl?: string;
}

async function identityProvider(issuer: string, clientId: string) {
  let provider: OpenIdProvider;
  try {
    provider = await discoverProvider(issuer);
  } catch {
    throw new ServiceUnavailableError('Identity provider unavailable', 'the identity provider does not answer: try again shortly');
  }
  if (!provider.authorization_endpoint || !provider.token_endpoint) {
    throw new ServiceUnavailableError('Identity provider unusable', 'the identity provider names no authorization or token endpoint');
  }
  return {
    issuer,
    clientId,
    authorizationEndpoint: provider.authorization_endpoint,
    tokenEndpoint: provider.token_endpoint,
    ...(provider.end_session_endpoint ? { endSessionEndpoint: provider.end_session_endpoint } : {}),
  };
}

/** What the console needs before and right after signing in: how to sign in, and who the caller is. */
export function sessionRoutes(deps: SessionRouteDependencies): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/session/sign-in-options',
      {
        schema: {
          tags: ['session'],
          summary: "How to sign in: the identity provider's endpoints, or the development identities (development mode only)",
          response: { 200: signInOptionsSchema },
        },
      },
      async () => {
        const { AUTH_OIDC_ISSUER: issuer, AUTH_OIDC_CLIENT_ID: clientId } = deps.config;
        // With an identity provider, only its tokens open the API: development tokens would be refused.
        // Under a private secret they would be real credentials for public identities: none offered.
        const tokens = developmentTokensAllowed(deps.config) && !issuer ? await devTokens(deps.config) : null;
        return {
          identityProvider: issuer ? await identityProvider(issuer, clientId) : null,
          developmentPrincipals: tokens
            ? (Object.keys(devPrincipals) as DevPrincipalName[])
                // A health facility's system talks to the API alone; the console has nothing for it.
                .filter((name) => devPrincipals[name].agency !== 'HOSPITAL')
                .map((name) => ({ name, principal: devPrincipals[name], token: tokens[name] }))
            : [],
          ...(deps.temporalUiUrl ? { temporalUiUrl: deps.temporalUiUrl } : {}),
        };
      },
    );

    app.get(
      '/me',
      {
        schema: {
          tags: ['session'],
          summary: 'Who the bearer token names: role, agency, jurisdiction and what the role may do',
          security,
          response: { 200: meSchema },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        return { ...principal, permissions: actions.filter((action) => roleMayPerform(principal.role, action)) };
      },
    );
  };
}
