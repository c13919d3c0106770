import type { Browser } from 'playwright-core';
import type { DevPrincipalName } from '../../api/auth/dev-tokens';
import { anonymous, deskScreen, launchBrowser, signedIn, type Desk } from './browser';
import { startStack, type Stack } from './stack';

export interface BrowserSuite {
  /** The stack and Chromium, set once the file's beforeAll has run. */
  readonly stack: Stack;
  readonly browser: Browser;
  /** A person signed in as a development identity. */
  desk(who: DevPrincipalName, viewport?: typeof deskScreen): Promise<Desk>;
  /** Someone at a browser, signed in as nobody (a citizen at home). */
  anyone(viewport?: typeof deskScreen): Promise<Desk>;
}

/**
 * A browser test file's real stack and Chromium, started once for the file and stopped after it. Every
 * session it opens is closed after its test, and a page that threw or logged an error fails that test,
 * whatever it asserted.
 */
export function browserSuite(env: Record<string, string> = {}): BrowserSuite {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  const desks: Desk[] = [];
  const opened = (desk: Desk) => {
    desks.push(desk);
    return desk;
  };
  beforeAll(async () => {
    stack = await startStack(env);
    browser = await launchBrowser();
  }, 240_000);
  afterEach(async () => {
    // Every session closed first, then the page errors asserted: one failing leaves none open.
    const sessions = desks.splice(0);
    await Promise.all(sessions.map((d) => d.context.close()));
    expect(sessions.flatMap((d) => d.errors)).toEqual([]);
  });
  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await stack?.stop();
    }
  });
  return {
    get stack() {
      if (!stack) throw new Error('the stack starts in beforeAll');
      return stack;
    },
    get browser() {
      if (!browser) throw new Error('the browser starts in beforeAll');
      return browser;
    },
    desk: async (who, viewport) => opened(await signedIn(browser!, stack!.apiUrl, who, viewport)),
    anyone: async (viewport) => opened(await anonymous(browser!, viewport)),
  };
}
