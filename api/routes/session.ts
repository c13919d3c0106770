import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actions, roleMayPerform } from '../../domain/authorization';
import { jurisdictionScopeSchema, principalRoles } from '../../domain/principal';
import { developmentTokensAllowed, devPrincipals, devTokens, type DevPrincipalName } from '../auth/dev-tokens';
import { principalOf } from '../auth/plugin';
import type { TokenSettings } from '../auth/tokens';
import type { Config } from '../../runtime/config';
import { security } from '../schemas';
import { identityProviderOptions, identityProviderOptionsSchema, type IdentityProviderSettings } from '../auth/identity-provider';

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
  identityProvider: identityProviderOptionsSchema.nullable(),
  temporalUiUrl: z.string().optional(),
});
export type Me = z.infer<typeof meSchema>;
export type SignInOptions = z.infer<typeof signInOptionsSchema>;

export interface SessionRouteDependencies {
  config: TokenSettings & IdentityProviderSettings & Pick<Config, 'LIEN_THONG_DEV_MODE'>;
  temporalUiUrl?: string;
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
        const issuer = deps.config.AUTH_OIDC_ISSUER;
        // With an identity provider, only its tokens open the API: development tokens would be refused.
        // Under a private secret they would be real credentials for public identities: none offered.
        const tokens = developmentTokensAllowed(deps.config) && !issuer ? await devTokens(deps.config) : null;
        return {
          identityProvider: issuer ? await identityProviderOptions(issuer, deps.config) : null,
          developmentPrincipals: tokens
            ? (Object.keys(devPrincipals) as DevPrincipalName[])
                // A health facility's system and the portal talk to the API alone; the console has nothing for them.
                .filter((name) => devPrincipals[name].agency !== 'HOSPITAL' && devPrincipals[name].role !== 'PORTAL')
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
