import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { DevPrincipalName } from '../../api/auth/dev-tokens';
import { consoleBuildArgs, projectRoot } from '../../runtime/tools';
import { expectAccessible } from './accessibility';

/**
 * Debian's Chromium driven by playwright-core: the console as a person uses it, through real clicks on
 * the page the API serves. The flags keep Chromium from calling out of this closed network.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotDir = join(projectRoot, 'tests', 'screenshots');
export const deskScreen = { width: 1366, height: 768 };
export const phoneScreen = { width: 390, height: 844 };

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: npm install provisions Debian's chromium (apt-get install chromium)`);
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** The console from these sources: a build takes a few seconds, and a stale one would test the wrong page. */
export function buildConsole(): void {
  execFileSync(process.execPath, [...consoleBuildArgs, '--logLevel', 'error'], { cwd: projectRoot, stdio: 'inherit' });
}

export interface Desk {
  context: BrowserContext;
  page: Page;
  /** Errors the page logged or threw: a console that crashes silently fails its test. */
  errors: string[];
}

/** Someone at a browser, signed in as nobody (a citizen at home): a fresh session whose page errors are collected. */
export async function anonymous(browser: Browser, viewport = deskScreen): Promise<Desk> {
  // Less motion, as a person may ask of their system: the console then draws no transitions, and each
  // page is checked by axe in the state it settles in, not halfway through a fade.
  const context = await browser.newContext({ viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    // 4xx answers are part of the flows under test (a conflict, an invalid field); anything else is not.
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) errors.push(message.text());
  });
  return { context, page, errors };
}

/** A person at a desk: a fresh browser session, signed in through the sign-in page as a development identity. */
export async function signedIn(browser: Browser, apiUrl: string, who: DevPrincipalName, viewport = deskScreen): Promise<Desk> {
  const desk = await anonymous(browser, viewport);
  await desk.page.goto(`${apiUrl}/console/`);
  await desk.page.getByTestId(`sign-in-${who}`).click();
  await shown(desk.page.getByTestId('who'));
  return desk;
}

/**
 * A main page state as a person sees it (a screenshot for the README) and as a screen reader reads it
 * (axe-core: no critical or serious violation, one h1).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await expectAccessible(page, name);
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Types a date into an Ant Design date picker as a clerk would: dd/mm/yyyy, then Enter. */
export async function pickDate(page: Page, id: string, isoDate: string): Promise<void> {
  const [y, m, d] = isoDate.split('-');
  const input = page.locator(`#${id}`);
  await input.click();
  await input.fill(`${d}/${m}/${y}`);
  // Tab, not Enter: Enter would also submit the form around the picker.
  await input.press('Tab');
}

/** Chooses an option of an Ant Design select by its Vietnamese label. */
export async function choose(page: Page, id: string, label: string): Promise<void> {
  await page.locator(`#${id}`).click();
  await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${label}"]`).click();
}

/** Waits until the locator is on screen (the console refreshes itself: no reload). */
export async function shown(locator: Locator, timeout = 30_000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}
