import type { Browser } from 'playwright-core';
import { birthIntake } from '../support/fixtures';
import { launchBrowser, screenshot, shown, signedIn, type Desk } from '../support/browser';
import { postJson, setAgencyFaults, startStack, type Stack } from '../support/stack';

/**
 * The dossier's map in a real browser: a supervisor opens a dossier whose social-security step keeps
 * failing (the agency is down), reaches the step by keyboard, opens it and reads its attempts.
 */
describe('console: the dossier map', () => {
  let stack: Stack;
  let browser: Browser;
  let desk: Desk | undefined;
  beforeAll(async () => {
    stack = await startStack({ STEP_RETRY_INITIAL_MS: '1000', STEP_RETRY_MAX_MS: '2000', STEP_MAX_ATTEMPTS: '200' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await desk?.context.close();
    await browser?.close();
    await setAgencyFaults(stack.simulatorUrl, 'social-security', { outage: false }).catch(() => undefined);
    await stack?.stop();
  });

  it('a supervisor opens a step of the map and sees its attempts, last failure and next retry', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'social-security', { outage: true });
    const intake = birthIntake();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);

    desk = await signedIn(browser, stack.apiUrl, 'provinceSupervisor');
    const { page } = desk;
    await page.goto(`${stack.apiUrl}/console/ho-so/${intake.dossierNumber}`);
    // The node names its status in words, and its retries, before anything is clicked.
    const card = await shown(page.getByRole('button', { name: /^Cấp thẻ BHYT trẻ em dưới 6 tuổi\s*Đang xử lý\s*↻ Lần thử \d+/ }), 60_000);
    await shown(page.getByTestId('map-step-BIRTH_REGISTRATION').filter({ hasText: 'Hoàn thành' }));
    await card.focus();
    await page.keyboard.press('Enter');
    const panel = await shown(page.getByTestId('map-step-attempts'));
    await shown(panel.getByTestId('map-last-failure').filter({ hasText: 'Hệ thống của cơ quan không hoạt động hoặc quá tải' }));
    await shown(panel.getByText('Chi tiết kỹ thuật', { exact: false }));
    await shown(panel.getByTestId('map-next-retry'));
    const attempt = await panel.getByTestId('map-live-activity').first().innerText();
    expect(attempt).toMatch(/Gọi hệ thống của cơ quan/);
    expect(Number(/Lần thử\s+(\d+)/.exec(attempt)?.[1])).toBeGreaterThan(1);
    await screenshot(page, 'supervisor-dossier-map');
    expect(desk.errors).toEqual([]);
  });
});
