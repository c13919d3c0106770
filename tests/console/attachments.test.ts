import type { Browser } from 'playwright-core';
import { birthIntake } from '../support/fixtures';
import { launchBrowser, shown, signedIn, type Desk } from '../support/browser';
import { eventually, getJson, postJson, startStack, type Stack } from '../support/stack';

jest.setTimeout(240_000);

/** A clerk attaches a scan on the supplement form; the officer who asked for it sees it on the task page. */
describe('console: attachments in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  const desks: Desk[] = [];

  beforeAll(async () => {
    stack = await startStack({ MANUAL_STEPS: 'CIVIL_STATUS@79/26743' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const d of desks) expect(d.errors).toEqual([]);
    await browser?.close();
    await stack?.stop();
  });

  test('uploaded on the supplement form, seen by the officer on the task page', async () => {
    const intake = birthIntake();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    const officer = stack.tokens.civilStatusOfficer;
    const task = await eventually(async () => (await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${intake.dossierNumber}&step=BIRTH_REGISTRATION`, officer)).body.items[0]);
    expect((await postJson(`${stack.apiUrl}/v1/tasks/${task.id}/claim`, {}, officer)).status).toBe(200);
    expect((await postJson(`${stack.apiUrl}/v1/tasks/${task.id}/supplement-request`, { documents: ['MARRIAGE_CERTIFICATE'] }, officer)).status).toBeLessThan(300);

    const clerk = await signedIn(browser, stack.apiUrl, 'clerk');
    desks.push(clerk);
    await clerk.page.goto(`${stack.apiUrl}/console/ho-so/${encodeURIComponent(intake.dossierNumber)}`);
    const form = await shown(clerk.page.locator('form', { hasText: 'Bản quét giấy tờ' }));
    await form.getByLabel('Loại giấy tờ đính kèm').click();
    await clerk.page.locator('.ant-select-item-option', { hasText: 'Giấy chứng nhận kết hôn của cha mẹ' }).click();
    await form.locator('input[type=file]').setInputFiles({ name: 'giấy kết hôn.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\nmarriage certificate\n%%EOF') });
    await shown(clerk.page.getByTestId('attachments').first().getByText('giấy kết hôn.pdf', { exact: false }));
    await form.getByRole('button', { name: 'Gửi bổ sung' }).click();
    await eventually(async () => ((await stack.status(intake.dossierNumber)).steps[0].status !== 'WAITING_FOR_SUPPLEMENT' ? true : undefined), 60_000);

    const next = await eventually(async () => (await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${intake.dossierNumber}&step=BIRTH_REGISTRATION&status=OPEN`, officer)).body.items[0]);
    const desk = await signedIn(browser, stack.apiUrl, 'civilStatusOfficer');
    desks.push(desk);
    await desk.page.goto(`${stack.apiUrl}/console/nhiem-vu/${next.id}`);
    const listed = await shown(desk.page.getByTestId('attachments').locator('tr', { hasText: 'giấy kết hôn.pdf' }));
    await shown(listed.getByText('Giấy chứng nhận kết hôn của cha mẹ'));
    const download = desk.page.waitForEvent('download');
    await listed.getByRole('button', { name: 'Tải xuống' }).click();
    expect((await download).suggestedFilename()).toBe('giấy kết hôn.pdf');
  });
});
