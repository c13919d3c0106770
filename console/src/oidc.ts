import type { SignInOptions } from '../../api/routes/session';

/**
 * Signing in through the deployment's identity provider: OAuth 2.0 Authorization Code with PKCE
 * (RFC 7636) as a public client, the browser holding no secret. The verifier and state live in this
 * tab's sessionStorage only between leaving for the provider and coming back. The API's audience is
 * asked for as the API says (a resource indicator, an `audience` parameter or a scope), so that the
 * provider issues a JWT access token for it rather than an opaque one for itself.
 */
export type IdentityProvider = Extract<NonNullable<SignInOptions['identityProvider']>, { reachable: true }>;
const pendingKey = 'lien-thong.oidc';
export const callbackPath = '/console/dang-nhap/oidc';

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const randomString = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
const redirectUri = () => `${window.location.origin}${callbackPath}`;

export async function startSignIn(provider: IdentityProvider): Promise<void> {
  const verifier = randomString();
  const state = randomString();
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(pendingKey, JSON.stringify({ verifier, state }));
  const url = new URL(provider.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: provider.clientId,
    redirect_uri: redirectUri(),
    scope: provider.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(provider.resource ? { resource: provider.resource } : {}),
    ...(provider.audience ? { audience: provider.audience } : {}),
  }).toString();
  window.location.assign(url.toString());
}

/** Whether this page load is the provider sending the browser back with a code (or an error). */
export function isCallback(): boolean {
  return window.location.pathname === callbackPath && new URLSearchParams(window.location.search).has('state');
}

/** Trades the code for an access token; refuses a callback this tab did not start (a forged or replayed one). */
export async function finishSignIn(provider: IdentityProvider): Promise<string> {
  const params = new URLSearchParams(window.location.search);
  const pending = JSON.parse(sessionStorage.getItem(pendingKey) ?? 'null') as { verifier: string; state: string } | null;
  sessionStorage.removeItem(pendingKey);
  if (params.get('error')) throw new Error(`Cổng định danh từ chối: ${params.get('error_description') ?? params.get('error')}`);
  if (!pending || params.get('state') !== pending.state) throw new Error('Phiên đăng nhập không khớp: hãy đăng nhập lại.');
  const response = await fetch(provider.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: redirectUri(),
      client_id: provider.clientId,
      code_verifier: pending.verifier,
      // RFC 8707 §2.2: the token is for this resource (a provider may otherwise issue one for its userinfo).
      ...(provider.resource ? { resource: provider.resource } : {}),
    }),
  });
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string };
  if (!response.ok || !body.access_token) throw new Error(`Không nhận được thẻ truy cập (${body.error ?? response.status}).`);
  return body.access_token;
}
