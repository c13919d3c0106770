import type { Page } from 'playwright-core';
import { shown } from './browser';
import { getJson } from './stack';

/** Opens a task and claims it: before that, the page offers no decision. */
export async function claimOnPage(page: Page): Promise<void> {
  await shown(page.getByTestId('task-status'));
  await shown(page.getByRole('button', { name: 'Nhận xử lý' }));
  expect(await page.getByRole('button', { name: 'Hoàn thành bước' }).count()).toBe(0);
  await page.getByRole('button', { name: 'Nhận xử lý' }).click();
  await shown(page.getByTestId('task-status').filter({ hasText: 'Đã nhận xử lý' }));
}

/**
 * A decision is recorded only through its confirmation, which shows what it records; the task page then
 * says what was recorded. Until confirmed, the task is still the officer's to decide (read through the
 * API with `readerToken`, a supervisor's).
 */
export async function confirmDecision(page: Page, apiUrl: string, readerToken: string, button: string, records: string[]): Promise<void> {
  const taskId = new URL(page.url()).pathname.split('/').pop()!;
  await page.getByRole('button', { name: button }).click();
  const dialog = await shown(page.getByTestId('decision-confirm'));
  for (const text of records) await shown(dialog.getByText(text, { exact: false }));
  expect((await getJson(`${apiUrl}/v1/tasks/${taskId}`, readerToken)).body.status).toBe('CLAIMED');
  await page.getByRole('button', { name: 'Ghi nhận quyết định' }).click();
  const recorded = await shown(page.getByTestId('decision-recorded'));
  for (const text of records) await shown(recorded.getByText(text, { exact: false }));
}

/**
 * The inbox narrowed to one dossier by its number, as an officer does when the citizen reads it out:
 * other dossiers' tasks (of other test files, in the shared database) may fill its first page.
 */
export async function openInboxAt(page: Page, dossierNumber: string): Promise<void> {
  await page.getByRole('link', { name: 'Hộp nhiệm vụ' }).click();
  await page.getByLabel('Tìm theo số hồ sơ').fill(dossierNumber);
  await page.getByLabel('Tìm theo số hồ sơ').press('Enter');
}

/**
 * An officer finds the task in the inbox (it appears without a reload), claims it on its page and
 * completes it with the result `fill` types, confirmed; `records` are what the confirmation must show.
 */
export async function completeFromInbox(page: Page, apiUrl: string, readerToken: string, dossierNumber: string, step: string, fill: () => Promise<void>, records: string[]): Promise<void> {
  await openInboxAt(page, dossierNumber);
  // The task opens once the step before it is recorded and the workflow has moved on: on a loaded
  // machine that can take longer than a page's usual wait.
  await (await shown(page.locator('tr', { hasText: dossierNumber }).getByTestId(`task-${step}`), 90_000)).click();
  // On the task's own page (the inbox rows have claim buttons of their own).
  await claimOnPage(page);
  await fill();
  await confirmDecision(page, apiUrl, readerToken, 'Hoàn thành bước', records);
  await shown(page.getByTestId('task-status').filter({ hasText: 'Đã xong' }));
  await shown(page.getByTestId('task-ended').filter({ hasText: 'Nhiệm vụ đã xong. Kết quả: hoàn thành.' }));
}
