import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { Browser } from 'playwright-core';
import type { Principal } from '../../domain/principal';
import { anonymous, launchBrowser, shown } from '../support/browser';
import { freePort } from '../support/free-port';
import { startOpenIdProvider, type MachineClient, type OpenIdProvider } from '../support/identity-provider';
import { getJson, postJson, startStack, type Stack } from '../support/stack';

/**
 * Production sign-in against a certified OpenID provider that nobody here wrote (`oidc-provider`),
 * configured as an operator would configure theirs. The console sends the officer to the provider's
 * login form (Authorization Code with PKCE), asks for the API as a resource indicator, trades the code
 * for a JWT access token, and the API accepts it against the provider's published keys. A hospital's
 * system gets its token by client credentials. The API knows the issuer before the provider runs, so
 * the first test sees it unreachable.
 */
describe('signing in through a standard OpenID provider', () => {
  const audience = 'urn:lien-thong:api';
  const commune = { scope: 'COMMUNE', provinceCode: '79', communeCode: '26743' } as const;
  const officer: Principal = { role: 'AGENCY_OFFICER', subject: 'f3a9c2e1-police-officer', agency: 'COMMUNE_POLICE', jurisdiction: commune };
  const hospital: MachineClient = {
    principal: { role: 'AGENCY_SYSTEM', subject: 'benh-vien-tu-du', agency: 'HOSPITAL', jurisdiction: { scope: 'PROVINCE', provinceCode: '79' }, facilityCode: '79024' },
    secret: randomUUID(),
  };
  let issuer: string;
  let provider: OpenIdProvider | undefined;
  let stack: Stack;
  let browser: Browser;

  const providerRunning = async (): Promise<OpenIdProvider> => {
    const port = Number(new URL(issuer).port);
    provider ??= await startOpenIdProvider({ port, audience, consoleOrigin: stack.apiUrl, people: [officer], machines: [hospital] });
    return provider;
  };

  beforeAll(async () => {
    issuer = `http://127.0.0.1:${await freePort()}`;
    stack = await startStack({ AUTH_OIDC_ISSUER: issuer, AUTH_OIDC_AUDIENCE: audience });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await provider?.stop();
  });

  it('offers no sign-in while the provider is unreachable, says so, and offers it once the provider answers; readiness reports the provider', async () => {
    const ready = async () => getJson(`${stack.apiUrl}/health/ready`);
    // A provider outage is reported without taking the API out of its load balancer.
    expect(await ready()).toMatchObject({ status: 200, body: { status: 'ready', dependencies: { database: 'up', temporal: 'up', identityProvider: 'down' } } });
    const desk = await anonymous(browser);
    await desk.page.goto(`${stack.apiUrl}/console/`);
    await shown(desk.page.getByText('Cổng định danh đang không truy cập được'));
    expect(await desk.page.getByTestId('sign-in-oidc').count()).toBe(0);

    await providerRunning();
    // The page looks again by itself.
    await shown(desk.page.getByTestId('sign-in-oidc'));
    expect(await desk.page.getByText('Cổng định danh đang không truy cập được').count()).toBe(0);
    expect((await ready()).body.dependencies.identityProvider).toBe('up');
    expect(desk.errors).toEqual([]);
    await desk.context.close();
  });

  it("signs an officer in at the provider's login form, and the API accepts the provider's token", async () => {
    await providerRunning();
    const { context, page } = await anonymous(browser);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${stack.apiUrl}/console/`);
    // With a provider, the public development identities are not offered (their tokens would be refused).
    await shown(page.getByTestId('sign-in-oidc'));
    expect(await page.getByTestId('sign-in-clerk').count()).toBe(0);
    expect((await fetch(`${stack.apiUrl}/console/`)).headers.get('content-security-policy')).toContain(issuer);

    const authorization = page.waitForRequest((request) => request.url().startsWith(`${issuer}/auth?`));
    const tokenRequest = page.waitForRequest((request) => request.url() === `${issuer}/token`);
    await page.getByTestId('sign-in-oidc').click();
    // The provider's own login form (its development interactions accept any password).
    await page.locator('input[name="login"]').fill(officer.subject);
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await shown(page.getByTestId('who').getByText(officer.subject));
    await shown(page.getByText('Công an xã'));
    expect(page.url()).not.toContain('code=');

    // PKCE and the resource indicator on the way out; the code traded with its verifier and no secret.
    const asked = new URL((await authorization).url()).searchParams;
    expect([asked.get('code_challenge_method'), asked.get('resource'), asked.get('client_id')]).toEqual(['S256', audience, 'lien-thong-console']);
    const traded = new URLSearchParams((await tokenRequest).postData() ?? '');
    expect(traded.get('code_verifier')).toBeTruthy();
    expect(traded.get('resource')).toBe(audience);
    expect(traded.get('client_secret')).toBeNull();

    // The console holds the provider's JWT for this API, with the claims its mappers added.
    const token = String(await page.evaluate('sessionStorage.getItem("lien-thong.token")'));
    expect(decodeJwt(token)).toMatchObject({ iss: issuer, aud: audience, sub: officer.subject, client_id: 'lien-thong-console', role: 'AGENCY_OFFICER', agency: 'COMMUNE_POLICE', jurisdiction: commune });
    expect(await getJson(`${stack.apiUrl}/v1/me`, token)).toMatchObject({ status: 200, body: { subject: officer.subject, role: 'AGENCY_OFFICER', agency: 'COMMUNE_POLICE', jurisdiction: commune } });
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('refuses a callback it did not start, and development tokens', async () => {
    await providerRunning();
    const { context, page } = await anonymous(browser);
    await page.goto(`${stack.apiUrl}/console/dang-nhap/oidc?code=stolen&state=forged`);
    await shown(page.getByText('Phiên đăng nhập không khớp', { exact: false }));
    expect(await page.evaluate('sessionStorage.getItem("lien-thong.token")')).toBeNull();
    expect((await getJson(`${stack.apiUrl}/v1/me`, stack.tokens.clerk)).status).toBe(401);
    await context.close();
  });

  it("gives a hospital's system a token by client credentials, with which it sends its notice", async () => {
    await providerRunning();
    // What a machine client does: find the token endpoint, authenticate with its own id and secret.
    const { token_endpoint: tokenEndpoint } = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { token_endpoint: string };
    const credentials = Buffer.from(`${hospital.principal.subject}:${hospital.secret}`).toString('base64');
    const grant = async (form: Record<string, string>) => {
      const response = await fetch(tokenEndpoint, { method: 'POST', headers: { authorization: `Basic ${credentials}` }, body: new URLSearchParams({ grant_type: 'client_credentials', ...form }) });
      expect(response.status).toBe(200);
      return ((await response.json()) as { access_token: string }).access_token;
    };
    const token = await grant({ resource: audience });
    expect(await getJson(`${stack.apiUrl}/v1/me`, token)).toMatchObject({ status: 200, body: { subject: hospital.principal.subject, role: 'AGENCY_SYSTEM', agency: 'HOSPITAL' } });
    const notice = {
      kind: 'BIRTH',
      noticeNumber: `CS-${randomUUID().slice(0, 12)}`,
      facility: { code: '79024', name: 'Bệnh viện Từ Dũ' },
      child: { sex: 'MALE', dateOfBirth: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), placeOfBirth: 'Bệnh viện Từ Dũ', weightGrams: 3000 },
      mother: { fullName: 'Lê Thị Hoa', personalIdNumber: '079195004321', residence: { line: '3 Pasteur', communeCode: '26743', provinceCode: '79' } },
    };
    expect((await postJson(`${stack.apiUrl}/v1/notices`, notice, token)).status).toBe(201);

    // Asked without the resource, the provider issues a token for itself (opaque), which the API cannot read.
    const own = await grant({});
    expect(own.split('.')).toHaveLength(1);
    expect((await getJson(`${stack.apiUrl}/v1/me`, own)).status).toBe(401);
    // A wrong secret gets nothing.
    const stranger = await fetch(tokenEndpoint, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${hospital.principal.subject}:wrong`).toString('base64')}` }, body: new URLSearchParams({ grant_type: 'client_credentials', resource: audience }) });
    expect(stranger.status).toBe(401);
  });
});
