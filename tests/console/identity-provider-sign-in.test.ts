import type { Browser } from 'playwright-core';
import { deskScreen, launchBrowser, shown } from '../support/browser';
import { signingKey, startIdentityProvider, type IdentityProvider } from '../support/identity-provider';
import { getJson, startStack, type Stack } from '../support/stack';

/**
 * Production sign-in, in a real browser: the console sends the officer to the deployment's identity
 * provider (Authorization Code with PKCE), comes back with a code, trades it for the provider's token,
 * and the API accepts that token because it verifies it against the provider's published keys.
 */
describe('console: signing in through the identity provider', () => {
  let provider: IdentityProvider;
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    provider = await startIdentityProvider([await signingKey('realm-key-1')]);
    provider.user = { sub: 'f3a9c2e1-police-officer', role: 'AGENCY_OFFICER', agency: 'COMMUNE_POLICE', jurisdiction: { scope: 'COMMUNE', provinceCode: '79', communeCode: '26734' } };
    stack = await startStack({ AUTH_OIDC_ISSUER: provider.issuer });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await provider?.stop();
  });

  it('signs an officer in with the provider and shows who is signed in', async () => {
    const context = await browser.newContext({ viewport: deskScreen, locale: 'vi-VN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${stack.apiUrl}/console/`);
    // With a provider, the public development identities are not offered (their tokens would be refused).
    await shown(page.getByTestId('sign-in-oidc'));
    expect(await page.getByTestId('sign-in-clerk').count()).toBe(0);
    expect((await fetch(`${stack.apiUrl}/console/`)).headers.get('content-security-policy')).toContain(new URL(provider.issuer).origin);

    await page.getByTestId('sign-in-oidc').click();
    await shown(page.getByTestId('who').getByText('f3a9c2e1-police-officer'));
    await shown(page.getByText('Công an xã'));
    expect(page.url()).not.toContain('code=');
    // PKCE: the browser asked with a challenge and traded the code once, with no client secret.
    expect(provider.requested.find((p) => p.includes('/openid-connect/auth?'))).toContain('code_challenge_method=S256');
    expect(provider.requested.filter((p) => p.endsWith('/openid-connect/token'))).toHaveLength(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('refuses a callback it did not start, and development tokens', async () => {
    const context = await browser.newContext({ viewport: deskScreen });
    const page = await context.newPage();
    await page.goto(`${stack.apiUrl}/console/dang-nhap/oidc?code=stolen&state=forged`);
    await shown(page.getByText('Phiên đăng nhập không khớp', { exact: false }));
    expect(await page.evaluate('sessionStorage.getItem("lien-thong.token")')).toBeNull();
    expect((await getJson(`${stack.apiUrl}/v1/me`, stack.tokens.clerk)).status).toBe(401);
    await context.close();
  });
});
