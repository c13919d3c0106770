import { readFile } from 'node:fs/promises';
import { birthIntake } from '../support/fixtures';
import { phoneScreen, screenshot, shown } from '../support/browser';
import { browserSuite } from '../support/browser-suite';
import { eventually, postJson } from '../support/stack';

/**
 * The citizen's page on a phone (390 × 844), no sign-in: the whole dossier number, when and where the
 * results are collected and what to bring; once the group has ended, the electronic results download.
 */
describe('console: the citizen collects the results on a phone', () => {
  // The police work by hand: a birth with residence stays running; one without completes by itself.
  const suite = browserSuite({ MANUAL_STEPS: 'COMMUNE_POLICE' });

  /** A dossier number as long as the desks may make them (64 characters), which a phone must still show whole. */
  const longNumber = (tag: string) => `H79.26743-${tag}-${Date.now().toString(36)}-${process.pid}`.padEnd(64, 'X');
  const file = async (intake: ReturnType<typeof birthIntake>) => {
    const answer = await postJson(`${suite.stack.apiUrl}/v1/dossiers`, intake, suite.stack.tokens.clerk);
    expect(answer.status).toBe(201);
    return answer.body.receiptCode as string;
  };
  const citizenLooksUp = async (dossierNumber: string, receiptCode: string) => {
    const citizen = await suite.anyone(phoneScreen);
    const { page } = citizen;
    await page.goto(`${suite.stack.apiUrl}/console/tra-cuu`);
    await page.getByLabel('Số hồ sơ').fill(dossierNumber);
    await page.getByLabel('Mã tra cứu').fill(receiptCode);
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await shown(page.getByTestId('lookup-result'));
    return page;
  };
  /** The number is on screen whole: its text, inside the phone's width, nothing cut or scrolled away. */
  const expectWholeNumber = async (page: Awaited<ReturnType<typeof citizenLooksUp>>, dossierNumber: string) => {
    const heading = page.getByTestId('lookup-number');
    expect(await heading.textContent()).toBe(`Hồ sơ ${dossierNumber}`);
    const fits = await heading.evaluate((element) => {
      const box = element.getBoundingClientRect();
      // The page's own window (this runs in the browser).
      const style = (globalThis as unknown as { getComputedStyle(e: unknown): { textOverflow: string } }).getComputedStyle(element);
      return { overflow: element.scrollWidth <= element.clientWidth, right: box.right, ellipsis: style.textOverflow };
    });
    expect(fits.overflow).toBe(true);
    expect(fits.right).toBeLessThanOrEqual(phoneScreen.width);
    expect(fits.ellipsis).not.toBe('ellipsis');
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  };

  it('a running group: the whole number, the appointment and the desk with its address, what to bring, no download yet', async () => {
    const intake = birthIntake({ dossierNumber: longNumber('RUN') });
    const receiptCode = await file(intake);
    const page = await citizenLooksUp(intake.dossierNumber, receiptCode);
    await expectWholeNumber(page, intake.dossierNumber);
    const collect = await shown(page.getByTestId('lookup-collect'));
    await shown(collect.getByText('Nhận kết quả'));
    const status = await suite.stack.status(intake.dossierNumber);
    const [y, m, d] = new Date(new Date(status.dueAt).getTime() + 7 * 3_600_000).toISOString().slice(0, 10).split('-');
    expect(await page.getByTestId('lookup-appointment').textContent()).toBe(`${d}/${m}/${y}`);
    await shown(page.getByTestId('lookup-office').getByText('Bộ phận Một cửa, Ủy ban nhân dân phường Bến Thành'));
    await shown(page.getByTestId('lookup-office').getByText('Trụ sở Ủy ban nhân dân phường Bến Thành, Thành phố Hồ Chí Minh', { exact: false }));
    const bring = page.getByTestId('lookup-bring');
    await shown(bring.getByText('Giấy tiếp nhận hồ sơ và hẹn trả kết quả'));
    await shown(bring.getByText('Giấy tờ tùy thân của người đi đăng ký'));
    await shown(bring.getByText('Văn bản ủy quyền', { exact: false }));
    expect(await page.getByTestId('download-extract').count()).toBe(0);
  });

  it('a completed group: the results download from the page, a PDF, the same file twice', async () => {
    const intake = birthIntake({ dossierNumber: longNumber('DONE'), procedures: { permanentResidence: false, healthInsurance: true } });
    delete intake.residence;
    const receiptCode = await file(intake);
    await eventually(async () => ((await suite.stack.status(intake.dossierNumber)).status === 'COMPLETED' ? true : undefined), 120_000);
    const page = await citizenLooksUp(intake.dossierNumber, receiptCode);
    await expectWholeNumber(page, intake.dossierNumber);
    await shown(page.getByTestId('lookup-collect').getByText('Kết quả đã có'));
    await shown(page.getByTestId('lookup-office').getByText('Bộ phận Một cửa, Ủy ban nhân dân phường Bến Thành'));
    await shown(page.getByTestId('lookup-bring').getByText('Giấy tờ tùy thân của người đi đăng ký'));
    await screenshot(page, 'citizen-results-phone');

    const save = async (testId: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
      return { name: download.suggestedFilename(), bytes: await readFile((await download.path())!) };
    };
    const first = await save('download-extract');
    expect(first.name).toBe(`trich-luc-${intake.dossierNumber}.pdf`);
    expect(first.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const again = await save('download-extract');
    expect(Buffer.compare(again.bytes, first.bytes)).toBe(0);
    const receipt = await save('download-receipt');
    expect(receipt.name).toBe(`giay-tiep-nhan-${intake.dossierNumber}.pdf`);
    expect(receipt.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(await page.getByTestId('download-failure').count()).toBe(0);
  });
});
