import { readFile } from 'node:fs/promises';
import { childCardValidUntil, parseIsoDate } from '../../domain/age';
import { receiptCodeFormat } from '../../domain/receipt-code';
import type { PortalStatus } from '../../simulator/portal';
import { phoneScreen, screenshot, shown, type Desk } from '../support/browser';
import { browserSuite } from '../support/browser-suite';
import { mother, portalToken } from '../support/portal';
import { birthIntake, personalIdFor } from '../support/fixtures';
import { eventually, getJson, postJson } from '../support/stack';
import { claimOnPage, completeFromInbox, confirmDecision, openInboxAt } from '../support/task-page';

jest.setTimeout(300_000);

/**
 * The online channel end to end (issue 17): the portal files a birth dossier for the citizen VNeID
 * identified and attaches its scan; the civil-status officer reads it, claims and completes the
 * task in the browser, then each agency's officer theirs; the citizen, on a phone, looks the
 * dossier up with the receipt code the portal was given and downloads the PDF extract; the portal was
 * told of each change in order.
 */
describe('console: a portal dossier worked by the officers, collected by the citizen on a phone', () => {
  // Every birth agency of province 79 works by hand: the simulator's automated population database knows
  // only the births it registered itself, so after a registration typed by an officer the next steps
  // must be worked by hand too.
  const suite = browserSuite({ MANUAL_STEPS: 'CIVIL_STATUS@79/26743,POPULATION_DATABASE@79,COMMUNE_POLICE@79,SOCIAL_SECURITY@79' });

  const portalStatusesOf = async (code: string): Promise<{ statuses: PortalStatus[]; outOfOrder: string[] }> => {
    const { statuses, outOfOrder } = (await getJson(`${suite.stack.simulatorUrl}/_control/portal`)).body as { statuses: PortalStatus[]; outOfOrder: string[] };
    return { statuses: statuses.filter((s) => s.portalCode === code).sort((a, b) => a.sequence - b.sequence), outOfOrder: outOfOrder.filter((key) => key.startsWith(`${code}:`)) };
  };

  it('filed online with a scan, completed by the officers, the extract downloaded by the citizen', async () => {
    const { stack } = suite;
    // The portal, as it calls in production: its own token carrying the citizen VNeID vouched for.
    const token = await portalToken(stack, mother);
    const intake = birthIntake({ dossierNumber: `H79.26743-DVC-${Date.now().toString(36)}-${process.pid}` });
    const filed = await postJson(`${stack.apiUrl}/v1/portal/dossiers`, intake, token);
    expect(filed.status).toBe(201);
    // The receipt code comes back to the portal with its answer, for the citizen's account there.
    const receiptCode = filed.body.receiptCode as string;
    expect(receiptCode).toMatch(receiptCodeFormat);

    // The citizen's scan of the birth certificate, uploaded by the portal with its own token.
    const scan = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% giấy chứng sinh CS-2026-004512\n%%EOF\n');
    const attach = (dossierNumber: string) =>
      fetch(`${stack.apiUrl}/v1/dossiers/${encodeURIComponent(dossierNumber)}/attachments?documentType=BIRTH_CERTIFICATE`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf', 'x-file-name': encodeURIComponent('giấy chứng sinh.pdf') },
        body: scan,
      });
    expect((await attach(intake.dossierNumber)).status).toBe(201);
    // A dossier filed at a desk is none of the portal's: unknown to it, and nothing attached.
    const atDesk = birthIntake();
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, atDesk, stack.tokens.clerk)).status).toBe(201);
    const foreign = await attach(atDesk.dossierNumber);
    expect(foreign.status).toBe(404);
    expect(await stack.db.dossierAttachment.count({ where: { dossier: { dossierNumber: atDesk.dossierNumber } } })).toBe(0);

    // The civil-status officer finds the task in the inbox, reads the scan, typed in Vietnamese, and opens it.
    const civil = await suite.desk('civilStatusOfficer');
    const { page } = civil;
    await openInboxAt(page, intake.dossierNumber);
    await (await shown(page.locator('tr', { hasText: intake.dossierNumber }).getByTestId('task-BIRTH_REGISTRATION'))).click();
    const listed = await shown(page.getByTestId('attachments').locator('tr', { hasText: 'giấy chứng sinh.pdf' }));
    await shown(listed.getByText('Giấy chứng sinh (bản chính)'));
    await screenshot(page, 'portal-dossier-officer-task');
    const [download] = await Promise.all([page.waitForEvent('download'), listed.getByRole('button', { name: 'Tải xuống' }).click()]);
    expect(download.suggestedFilename()).toBe('giấy chứng sinh.pdf');
    expect(Buffer.compare(await readFile((await download.path())!), scan)).toBe(0);

    // Claimed, filled in, confirmed: the registration is recorded.
    await claimOnPage(page);
    await page.locator('#registrationNumber').fill('216/2026');
    await page.locator('#book').fill('01/2026-KS');
    await page.locator('#page').fill('216');
    await confirmDecision(page, stack.apiUrl, stack.tokens.nationalSupervisor, 'Hoàn thành bước', ['216/2026', '01/2026-KS']);
    await shown(page.getByTestId('task-ended').filter({ hasText: 'Nhiệm vụ đã xong. Kết quả: hoàn thành.' }));
    await screenshot(page, 'portal-dossier-officer-decided');

    // Each agency's officer then completes its own step from the inbox.
    const supervisor = stack.tokens.nationalSupervisor;
    const work = async (who: Parameters<typeof suite.desk>[0], step: string, fill: (page: Desk['page']) => Promise<void>, records: string[]) => {
      const officer = await suite.desk(who);
      await completeFromInbox(officer.page, stack.apiUrl, supervisor, intake.dossierNumber, step, () => fill(officer.page), records);
    };
    const childId = personalIdFor(intake.child);
    await work('populationDatabaseSystem', 'PERSONAL_ID', (p) => p.locator('#personalIdNumber').fill(childId), [childId]);
    await work('policeOfficer', 'PERMANENT_RESIDENCE', (p) => p.locator('#residenceRecordNumber').fill('TT-79-0216'), ['TT-79-0216']);
    const validUntil = childCardValidUntil(parseIsoDate(intake.child.dateOfBirth));
    await work('socialSecurityOfficer', 'CHILD_HEALTH_INSURANCE', async (p) => {
      await p.locator('#cardNumber').fill('TE1797926002160');
      await p.locator('#socialInsuranceCode').fill('7926002160');
    }, ['TE1797926002160', validUntil.split('-').reverse().join('/')]);

    const ended = await stack.untilEnded(intake.dossierNumber);
    expect(ended.status).toBe('COMPLETED');
    expect(ended.steps.find((s: { step: string }) => s.step === 'BIRTH_REGISTRATION').result).toMatchObject({ registrationNumber: '216/2026', page: 216 });

    // The citizen, at home on a phone, no sign-in: the number and the code the portal showed.
    const citizen = await suite.anyone(phoneScreen);
    const phone = citizen.page;
    await phone.goto(`${stack.apiUrl}/console/tra-cuu`);
    await phone.getByLabel('Số hồ sơ').fill(intake.dossierNumber);
    await phone.getByLabel('Mã tra cứu').fill(receiptCode);
    await phone.getByRole('button', { name: 'Tra cứu' }).click();
    await shown(phone.getByTestId('lookup-result'));
    expect(await phone.getByTestId('lookup-number').textContent()).toBe(`Hồ sơ ${intake.dossierNumber}`);
    await shown(phone.getByTestId('lookup-collect').getByText('Kết quả đã có'));
    await screenshot(phone, 'citizen-downloads-extract');
    const [extract] = await Promise.all([phone.waitForEvent('download'), phone.getByTestId('download-extract').click()]);
    expect(extract.suggestedFilename()).toBe(`trich-luc-${intake.dossierNumber}.pdf`);
    expect((await readFile((await extract.path())!)).subarray(0, 5).toString()).toBe('%PDF-');
    expect(await phone.getByTestId('download-failure').count()).toBe(0);

    // The portal heard of the reception, each step's result and the end, in order, each once.
    const stepCount = ended.steps.length as number;
    const atPortal = await eventually(async () => {
      const got = await portalStatusesOf(intake.dossierNumber);
      return got.statuses.at(-1)?.event === 'GROUP_ENDED' ? got : undefined;
    }, 120_000);
    expect(atPortal.outOfOrder).toEqual([]);
    expect(atPortal.statuses.map((s) => s.sequence)).toEqual(atPortal.statuses.map((_, i) => i + 1));
    expect(atPortal.statuses.map((s) => s.event)).toEqual(['RECEIVED', ...Array<string>(stepCount).fill('STEP_COMPLETED'), 'GROUP_ENDED']);
    expect(atPortal.statuses.slice(1, -1).map((s) => (s.body as { step: string }).step).sort()).toEqual(ended.steps.map((s: { step: string }) => s.step).sort());
    expect((atPortal.statuses.at(-1)!.body as { code?: string }).code).toBe('COMPLETED');
    // The electronic results reach the citizen's portal account: the acts as issued, and the PDFs to fetch.
    const results = (atPortal.statuses.at(-1)!.body as { results: { acts: { step: string; result: Record<string, unknown> }[]; documents: string[] } }).results;
    expect(results.documents).toEqual(['extract', 'receipt']);
    expect(results.acts.find((a) => a.step === 'BIRTH_REGISTRATION')?.result).toMatchObject({ registrationNumber: '216/2026' });
    expect(results.acts.find((a) => a.step === 'PERSONAL_ID')?.result).toMatchObject({ personalIdNumber: childId });
    expect(results.acts.find((a) => a.step === 'CHILD_HEALTH_INSURANCE')?.result).toMatchObject({ cardNumber: 'TE1797926002160' });
    expect(atPortal.statuses.every((s) => s.calls === 1)).toBe(true);
    expect(JSON.stringify(atPortal.statuses)).not.toContain(mother.personalIdNumber);
  });
});
