import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** WCAG 2.1 A and AA, the level public services are held to. */
const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export interface AccessibilityFigures {
  page: string;
  critical: number;
  serious: number;
  moderate: number;
  minor: number;
  h1: number;
}

/**
 * Runs axe-core on the page as it stands and prints its figures; a critical or serious violation, or a
 * page without exactly one h1, fails the test with each violation's rule, help and elements.
 */
export async function expectAccessible(page: Page, name: string): Promise<AccessibilityFigures> {
  const results = await new AxeBuilder({ page }).withTags(wcagTags).analyze();
  const count = (impact: string) => results.violations.filter((v) => v.impact === impact).reduce((n, v) => n + v.nodes.length, 0);
  const h1 = await page.locator('h1:visible').count();
  const figures = { page: name, critical: count('critical'), serious: count('serious'), moderate: count('moderate'), minor: count('minor'), h1 };
  process.stdout.write(`axe ${name}: critical ${figures.critical}, serious ${figures.serious}, moderate ${figures.moderate}, minor ${figures.minor}; h1 ${h1}\n`);
  const blocking = results.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} (${n.failureSummary?.split('\n').slice(1).join('; ') ?? ''})`).join(' | ')}`);
  expect({ page: name, blocking, h1 }).toEqual({ page: name, blocking: [], h1: 1 });
  return figures;
}
