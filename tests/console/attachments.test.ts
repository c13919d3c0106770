import type { Browser } from 'playwright-core';
import { birthIntake } from '../support/fixtures';
import { launchBrowser, shown, signedIn, type Desk } from '../support/browser';
import { fillBirthIntake } from '../support/intake-form';
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

  test('attached right after the intake, on the receipt page: a file that is no scan is refused and not recorded', async () => {
    const clerk = await signedIn(browser, stack.apiUrl, 'clerk');
    desks.push(clerk);
    const page = clerk.page;
    await page.getByRole('link', { name: 'Tiếp nhận khai sinh' }).first().click();
    await fillBirthIntake(page, birthIntake());
    await page.locator('#requester_phone').fill('0987654321');
    const dossierNumber = await page.locator('#dossierNumber').inputValue();
    await page.getByRole('button', { name: 'Tiếp nhận hồ sơ' }).click();
    await shown(page.getByTestId('receipt-code'));
    const card = page.getByTestId('attachments');
    await card.getByLabel('Loại giấy tờ đính kèm').click();
    await page.locator('.ant-select-item-option', { hasText: 'Giấy chứng sinh (bản chính)' }).click();
    await card.locator('input[type=file]').setInputFiles({ name: 'not-a-scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('plain text') });
    await shown(page.locator('.ant-message'));
    await card.locator('input[type=file]').setInputFiles({ name: 'giấy chứng sinh.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7]) });
    await shown(card.getByText('giấy chứng sinh.png', { exact: false }));
    const dossier = await stack.db.dossier.findUniqueOrThrow({ where: { dossierNumber }, include: { attachments: true } });
    expect(dossier.attachments.map((a) => [a.documentType, a.contentType])).toEqual([['BIRTH_CERTIFICATE', 'image/png']]);
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
