import type { Page } from 'playwright-core';
import { signToken } from '../../api/auth/tokens';
import { childCardValidUntil, parseIsoDate } from '../../domain/age';
import { birthIntake, deathIntake, personalIdFor } from '../support/fixtures';
import { choose, phoneScreen, pickDate, screenshot, shown } from '../support/browser';
import { browserSuite } from '../support/browser-suite';
import { expectAccessible } from '../support/accessibility';
import { fillBirthIntake } from '../support/intake-form';
import { claimOnPage, confirmDecision as confirmShared, openInboxAt } from '../support/task-page';
import { gatewayMessages } from '../support/notifications';
import { eventually, getJson, postJson, setAgencyFaults } from '../support/stack';

const daysFromToday = (days: number) => new Date(Date.now() + days * 86_400_000 + 7 * 3_600_000).toISOString().slice(0, 10);
/** 2026-09-30 as a Vietnamese desk writes it: 30/09/2026. */
const dayFirst = (isoDate: string) => isoDate.split('-').reverse().join('/');

/**
 * The console in a real browser against the real stack: the three roles do their jobs by clicking,
 * never by curl. Screenshots of each role's main page land in tests/screenshots/ (git-ignored).
 */
describe('console: clerks, officers and supervisors in a browser', () => {
  // Every birth agency of province 79 works by hand (the population database's system through the same
  // inbox); elsewhere (province 48) every step is automated.
  const suite = browserSuite({ MANUAL_STEPS: 'CIVIL_STATUS@79/26743,POPULATION_DATABASE@79,COMMUNE_POLICE@79,SOCIAL_SECURITY@79' });
  const desk = suite.desk;

  /** A decision confirmed in its dialog (tests/support/task-page.ts), read back by a supervisor while unconfirmed. */
  const confirmDecision = (page: Page, button: string, records: string[]) =>
    confirmShared(page, suite.stack.apiUrl, suite.stack.tokens.nationalSupervisor, button, records);

  /** An officer finds the task in the inbox (it appears without a reload), claims it and completes it with a typed result. */
  async function completeFromInbox(page: Page, dossierNumber: string, step: string, fill: () => Promise<void>, records: string[], inboxScreenshot?: string) {
    await openInboxAt(page, dossierNumber);
    const row = page.locator('tr', { hasText: dossierNumber });
    const task = await shown(row.getByTestId(`task-${step}`));
    if (inboxScreenshot) await screenshot(page, inboxScreenshot);
    await task.click();
    // On the task's own page (the inbox rows have claim buttons of their own).
    await claimOnPage(page);
    await fill();
    await confirmDecision(page, 'Hoàn thành bước', records);
    await shown(page.getByTestId('task-status').filter({ hasText: 'Đã xong' }));
    await shown(page.getByTestId('task-ended').filter({ hasText: 'Nhiệm vụ đã xong. Kết quả: hoàn thành.' }));
  }

  /** A task decided through the API by its agency, claimed first as at a desk. */
  const openTask = (token: string, dossierNumber: string, step: string, kind = 'ACT') =>
    eventually(async () => (await getJson(`${suite.stack.apiUrl}/v1/tasks?dossierNumber=${dossierNumber}&step=${step}&kind=${kind}`, token)).body.items[0]);
  async function decide(token: string, dossierNumber: string, step: string, what: 'completion' | 'refusal', body: unknown, kind = 'ACT') {
    const task = await openTask(token, dossierNumber, step, kind);
    expect((await postJson(`${suite.stack.apiUrl}/v1/tasks/${task.id}/claim`, {}, token)).status).toBe(200);
    expect((await postJson(`${suite.stack.apiUrl}/v1/tasks/${task.id}/${what}`, body, token)).status).toBe(200);
  }

  it('a clerk files a birth dossier through the form; each agency completes its task in its inbox; the clerk sees it completed', async () => {
    const { page: clerk } = await desk('clerk');
    await clerk.getByRole('link', { name: 'Tiếp nhận khai sinh' }).first().click();
    const fixture = birthIntake();

    // Nothing filled: the form says what is missing, field by field, and sends nothing.
    await clerk.getByRole('button', { name: 'Tiếp nhận hồ sơ' }).click();
    await shown(clerk.locator('#child_fullName_help', { hasText: 'Bắt buộc' }));
    // The API's own rule, checked in the browser by the same schema: the number carries the commune's office code.
    await clerk.locator('#dossierNumber').fill('H01.00004-KHAC-XA');

    await fillBirthIntake(clerk, fixture);
    // The citizen asks for SMS: without a phone the intake's schema refuses it, in the browser.
    await choose(clerk, 'contact_channel', 'Tin nhắn SMS');

    await clerk.getByRole('button', { name: 'Tiếp nhận hồ sơ' }).click();
    await shown(clerk.locator('#dossierNumber_help', { hasText: 'mã cơ quan của xã (H79.26743-)' }));
    await shown(clerk.locator('#contact_phone_help', { hasText: 'Cần số điện thoại để nhận SMS' }));
    const phone = '0912345678';
    await clerk.locator('#contact_phone').fill(phone);
    const dossierNumber = `H79.26743-UI-${Date.now().toString(36)}`;
    await clerk.locator('#dossierNumber').fill(dossierNumber);
    await clerk.getByRole('button', { name: 'Tiếp nhận hồ sơ' }).click();

    // Filed: the receipt for the citizen, its code shown this once; then the dossier's page, its first step
    // waiting in the civil-status officer's inbox.
    const code = await shown(clerk.getByTestId('receipt-code'));
    expect(await code.textContent()).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await shown(clerk.getByTestId('receipt-slip').getByText(dossierNumber));
    await screenshot(clerk, 'clerk-intake-receipt');
    await clerk.getByRole('button', { name: 'Xem hồ sơ' }).click();
    await clerk.waitForURL(`**/console/ho-so/${dossierNumber}`);
    await shown(clerk.getByTestId('step-BIRTH_REGISTRATION').getByText('chưa có cán bộ nhận', { exact: false }));
    await shown(clerk.getByTestId('step-BIRTH_REGISTRATION').getByText(/còn \d+ ngày làm việc|đến hạn hôm nay/));
    expect((await suite.stack.status(dossierNumber)).steps.map((s: { step: string }) => s.step)).toEqual(['BIRTH_REGISTRATION', 'PERSONAL_ID', 'PERMANENT_RESIDENCE', 'CHILD_HEALTH_INSURANCE']);

    const civil = await desk('civilStatusOfficer');
    await completeFromInbox(
      civil.page,
      dossierNumber,
      'BIRTH_REGISTRATION',
      async () => {
        await civil.page.locator('#registrationNumber').fill('215/2026');
        await civil.page.locator('#book').fill('01/2026-KS');
        await civil.page.locator('#page').fill('215');
        // The day of registration is prefilled with today; typed over, it is replaced, not appended to,
        // and Enter there takes the date without deciding anything.
        await civil.page.locator('#registeredOn').click();
        await civil.page.keyboard.type(dayFirst(daysFromToday(-1)));
        await civil.page.keyboard.press('Enter');
        expect(await civil.page.locator('#registeredOn').inputValue()).toBe(dayFirst(daysFromToday(-1)));
        expect(await civil.page.getByTestId('decision-confirm').count()).toBe(0);
        await civil.page.keyboard.press('Escape');
        await screenshot(civil.page, 'officer-task');
      },
      ['215/2026', dayFirst(daysFromToday(-1))],
      'officer-inbox',
    );

    const population = await desk('populationDatabaseSystem');
    const childId = personalIdFor(fixture.child);
    await completeFromInbox(population.page, dossierNumber, 'PERSONAL_ID', async () => {
      await population.page.locator('#personalIdNumber').fill(childId);
    }, [childId]);
    const police = await desk('policeOfficer');
    await completeFromInbox(police.page, dossierNumber, 'PERMANENT_RESIDENCE', async () => {
      await police.page.locator('#residenceRecordNumber').fill('TT-79-0215');
    }, ['TT-79-0215']);
    const socialSecurity = await desk('socialSecurityOfficer');
    // The card's validity is the law's for this child's birth date (Luật BHYT Điều 16), not today.
    const validUntil = childCardValidUntil(parseIsoDate(fixture.child.dateOfBirth));
    await completeFromInbox(socialSecurity.page, dossierNumber, 'CHILD_HEALTH_INSURANCE', async () => {
      expect(await socialSecurity.page.locator('#validUntil').inputValue()).toBe(dayFirst(validUntil));
      // A malformed card number is refused on its field before anything is sent.
      await socialSecurity.page.locator('#cardNumber').fill('XX123');
      await socialSecurity.page.getByRole('button', { name: 'Hoàn thành bước' }).click();
      await shown(socialSecurity.page.locator('#cardNumber_help', { hasText: 'Sai định dạng' }));
      await socialSecurity.page.locator('#cardNumber').fill('TE1797926002150');
      await socialSecurity.page.locator('#socialInsuranceCode').fill('7926002150');
      // Another validity is refused by the API, on its field, in the law's words; nothing is recorded.
      await pickDate(socialSecurity.page, 'validUntil', daysFromToday(6 * 365));
      await socialSecurity.page.getByRole('button', { name: 'Hoàn thành bước' }).click();
      await socialSecurity.page.getByRole('button', { name: 'Ghi nhận quyết định' }).click();
      await shown(socialSecurity.page.locator('#validUntil_help', { hasText: `Theo Luật BHYT, thẻ của trẻ có giá trị đến ${dayFirst(validUntil)}` }));
      await pickDate(socialSecurity.page, 'validUntil', validUntil);
    }, ['TE1797926002150', dayFirst(validUntil)]);
    expect((await suite.stack.status(dossierNumber)).steps.find((s: { step: string }) => s.step === 'CHILD_HEALTH_INSURANCE').result.validUntil).toBe(validUntil);

    await shown(clerk.getByTestId('dossier-status').filter({ hasText: 'Hoàn thành' }), 60_000);
    await shown(clerk.getByTestId('step-PERSONAL_ID').getByText('Số định danh cá nhân:', { exact: false }));
    const ended = await suite.stack.untilEnded(dossierNumber);
    expect(ended.status).toBe('COMPLETED');
    expect(ended.steps.find((s: { step: string }) => s.step === 'BIRTH_REGISTRATION').result).toMatchObject({ registrationNumber: '215/2026', page: 215 });
    // The citizen was told of each step and of the end by SMS, once each.
    const messages = await eventually(async () => {
      const sent = await gatewayMessages(suite.stack.simulatorUrl, dossierNumber);
      return sent.length === 5 ? sent : undefined;
    });
    expect(messages.every((m) => m.channel === 'SMS' && m.to === phone && m.calls === 1)).toBe(true);
    // The clerk sees each announcement on the dossier's page, sent, the phone masked.
    const announcements = clerk.getByTestId('announcements');
    await shown(announcements.locator('tr', { hasText: 'Hồ sơ kết thúc' }).filter({ hasText: 'Đã gửi' }));
    await shown(announcements.locator('tr', { hasText: 'Cấp thẻ BHYT trẻ em dưới 6 tuổi' }).filter({ hasText: 'Đã gửi' }));
    expect(await announcements.locator('tbody tr').filter({ hasText: 'SMS ••••5678' }).count()).toBe(5);
    expect(await announcements.textContent()).not.toContain(phone);
    await screenshot(clerk, 'clerk-dossier-announcements');

    await clerk.getByRole('link', { name: 'Hồ sơ của xã' }).click();
    await shown(clerk.getByRole('link', { name: dossierNumber }));
    await screenshot(clerk, 'clerk-dossiers');
  });

  it('an officer meets a task someone else claimed as a plain message, not a crash', async () => {
    const intake = birthIntake();
    expect((await postJson(`${suite.stack.apiUrl}/v1/dossiers`, intake, suite.stack.tokens.clerk)).status).toBe(201);
    const task = await eventually(async () => (await getJson(`${suite.stack.apiUrl}/v1/tasks?dossierNumber=${intake.dossierNumber}`, suite.stack.tokens.civilStatusOfficer)).body.items[0]);
    const { page } = await desk('civilStatusOfficer');
    await page.goto(`${suite.stack.apiUrl}/console/nhiem-vu/${task.id}`);
    await shown(page.getByRole('button', { name: 'Nhận xử lý' }));
    // A colleague claims it first, through their own system.
    const other = await signToken(suite.stack.config, { role: 'AGENCY_OFFICER', subject: 'dev-civil-status-colleague', agency: 'CIVIL_STATUS', jurisdiction: { scope: 'COMMUNE', provinceCode: '79', communeCode: '26743' } });
    expect((await postJson(`${suite.stack.apiUrl}/v1/tasks/${task.id}/claim`, {}, other)).status).toBe(200);
    await page.getByRole('button', { name: 'Nhận xử lý' }).click();
    await shown(page.getByText('Không thực hiện được: nhiệm vụ đang do dev-civil-status-colleague xử lý.'));
    await shown(page.getByText('dev-civil-status-colleague đang xử lý nhiệm vụ này.'));
    expect(await page.getByRole('button', { name: 'Hoàn thành bước' }).count()).toBe(0);
  });

  it('a supervisor filters an incident raised by an agency outage and retries it in bulk', async () => {
    // A dossier of another province (Đà Nẵng), so the bulk filter reaches this test's incident only.
    const clerk48 = await signToken(suite.stack.config, { role: 'CLERK', subject: 'dev-clerk-48-20194', agency: 'CIVIL_STATUS', jurisdiction: { scope: 'COMMUNE', provinceCode: '48', communeCode: '20194' } });
    await setAgencyFaults(suite.stack.simulatorUrl, 'population', { outage: true });
    const place = { communeCode: '20194', provinceCode: '48' };
    const intake = birthIntake({ dossierNumber: `H48.20194-OUTAGE-${Date.now().toString(36)}`, jurisdiction: place, procedures: { permanentResidence: false, healthInsurance: false }, residence: undefined, healthInsurance: undefined });
    expect((await postJson(`${suite.stack.apiUrl}/v1/dossiers`, intake, clerk48)).status).toBe(201);
    await eventually(async () => (await suite.stack.db.incident.count({ where: { dossier: { dossierNumber: intake.dossierNumber }, status: 'OPEN' } })) || undefined, 60_000);
    await setAgencyFaults(suite.stack.simulatorUrl, 'population', { outage: false });

    const { page } = await desk('nationalSupervisor');
    await shown(page.locator('canvas'));
    await screenshot(page, 'supervisor-dashboard');
    await page.getByRole('link', { name: 'Hồ sơ tồn đọng' }).click();
    await choose(page, 'filter-incident', 'Có sự cố');
    await page.getByLabel('Mã tỉnh').fill('48');
    await page.getByLabel('Mã tỉnh').press('Tab');
    await shown(page.getByRole('link', { name: intake.dossierNumber }));
    // The filter is the URL: a colleague opening it sees the same list.
    expect(new URL(page.url()).searchParams.get('incident')).toBe('true');
    expect(new URL(page.url()).searchParams.get('provinceCode')).toBe('48');
    await screenshot(page, 'supervisor-stuck-dossiers');

    // Saved on the server for this supervisor.
    await page.getByRole('button', { name: 'Lưu bộ lọc' }).click();
    await page.getByLabel('Tên bộ lọc').fill('Sự cố Đà Nẵng');
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await shown(page.getByText('Đã lưu bộ lọc'));
    const views = (await getJson(`${suite.stack.apiUrl}/v1/me/saved-views?list=supervision-dossiers`, suite.stack.tokens.nationalSupervisor)).body.views;
    expect(views).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Sự cố Đà Nẵng', query: expect.stringContaining('provinceCode=48') })]));

    await page.getByRole('button', { name: 'Thử lại sự cố theo bộ lọc' }).click();
    const preview = await shown(page.getByTestId('bulk-preview'));
    expect(await preview.textContent()).toContain('1 mục');
    await page.getByRole('dialog').getByLabel('Lý do').fill('Hệ thống dân cư đã hoạt động lại');
    await page.getByLabel('Xác nhận số mục').fill('1');
    await page.getByRole('button', { name: 'Thực hiện' }).click();
    await shown(page.getByTestId('bulk-outcome').filter({ hasText: 'Đã thực hiện 1 mục' }));
    const status = () => getJson(`${suite.stack.apiUrl}/v1/dossiers/${intake.dossierNumber}`, clerk48).then((r) => r.body.status as string);
    expect(await eventually(async () => ((await status()) === 'COMPLETED' ? 'COMPLETED' : undefined))).toBe('COMPLETED');
  });

  it('a withdrawal shows its compensations, each act undone through the inbox of its agency', async () => {
    const intake = birthIntake();
    expect((await postJson(`${suite.stack.apiUrl}/v1/dossiers`, intake, suite.stack.tokens.clerk)).status).toBe(201);
    const t = suite.stack.tokens;
    const complete = (token: string, step: string, result: unknown, kind = 'ACT') => decide(token, intake.dossierNumber, step, 'completion', { result }, kind);
    await complete(t.civilStatusOfficer, 'BIRTH_REGISTRATION', { registrationNumber: '301/2026', book: '01/2026-KS', page: 301, registeredOn: daysFromToday(0) });
    await complete(t.populationDatabaseSystem, 'PERSONAL_ID', { personalIdNumber: personalIdFor(intake.child), issuedAt: new Date().toISOString() });

    const { page: clerk } = await desk('clerk');
    await clerk.goto(`${suite.stack.apiUrl}/console/ho-so/${intake.dossierNumber}`);
    await shown(clerk.getByTestId('step-PERSONAL_ID').getByText('Hoàn thành'));
    await clerk.getByRole('button', { name: 'Rút hồ sơ theo yêu cầu công dân' }).click();
    await clerk.getByRole('dialog').getByLabel('Lý do').fill('Gia đình xin rút để bổ sung giấy tờ');
    await clerk.getByRole('dialog').getByRole('button', { name: 'Rút hồ sơ' }).click();
    // Undone newest first: the ID number by the population database's system, then the registration by its officer.
    await complete(t.populationDatabaseSystem, 'PERSONAL_ID', { reference: 'HUY-DDCN-301' }, 'UNDO');
    await shown(clerk.getByTestId('step-PERSONAL_ID').getByText('Đã hủy kết quả (hoàn tác)'), 60_000);

    const civil = await desk('civilStatusOfficer');
    await openInboxAt(civil.page, intake.dossierNumber);
    const undo = civil.page.locator('tr', { hasText: intake.dossierNumber }).filter({ hasText: 'Hủy kết quả đã cấp' });
    await (await shown(undo.getByTestId('task-BIRTH_REGISTRATION'))).click();
    await claimOnPage(civil.page);
    await civil.page.locator('#reference').fill('QD-HUY-301');
    await confirmDecision(civil.page, 'Hoàn thành bước', ['QD-HUY-301']);
    await shown(civil.page.getByTestId('task-status').filter({ hasText: 'Đã xong' }));

    await shown(clerk.getByTestId('dossier-status').filter({ hasText: 'Đã rút hồ sơ' }), 60_000);
    await shown(clerk.getByTestId('step-BIRTH_REGISTRATION').getByText('số QD-HUY-301', { exact: false }));
    await shown(clerk.getByTestId('step-PERSONAL_ID').getByText('số HUY-DDCN-301', { exact: false }));
    await screenshot(clerk, 'clerk-withdrawn-dossier');
  });

  it("a citizen follows the dossier on a phone with the receipt code, after the clerk reprinted the receipt", async () => {
    const intake = birthIntake();
    const filed = await postJson(`${suite.stack.apiUrl}/v1/dossiers`, intake, suite.stack.tokens.clerk);
    expect(filed.status).toBe(201);
    const firstCode = filed.body.receiptCode as string;
    // The civil-status officer asks for a document, in words that name the child.
    const task = await eventually(async () => (await getJson(`${suite.stack.apiUrl}/v1/tasks?dossierNumber=${intake.dossierNumber}`, suite.stack.tokens.civilStatusOfficer)).body.items[0]);
    const reason = `Thiếu bản sao giấy chứng sinh của ${intake.child.fullName}`;
    expect((await postJson(`${suite.stack.apiUrl}/v1/tasks/${task.id}/claim`, {}, suite.stack.tokens.civilStatusOfficer)).status).toBe(200);
    expect((await postJson(`${suite.stack.apiUrl}/v1/tasks/${task.id}/supplement-request`, { documents: ['BIRTH_CERTIFICATE'], reason }, suite.stack.tokens.civilStatusOfficer)).status).toBe(200);

    // The receipt was lost: the clerk issues a new code, which voids the first.
    const { page: clerk } = await desk('clerk');
    await clerk.goto(`${suite.stack.apiUrl}/console/ho-so/${intake.dossierNumber}`);
    await shown(clerk.getByTestId('receipt-code-issued').getByText('Mã tra cứu đã cấp lúc', { exact: false }));
    await clerk.getByRole('button', { name: 'Cấp mã tra cứu mới' }).click();
    await clerk.getByRole('button', { name: 'Cấp mã mới' }).click();
    const newCode = (await (await shown(clerk.getByRole('dialog').getByTestId('receipt-code'))).textContent())!;
    expect(newCode.replace('-', '')).not.toBe(firstCode);

    // The citizen, at home on a phone: no sign-in.
    const citizen = await suite.anyone(phoneScreen);
    const { page } = citizen;
    await page.goto(`${suite.stack.apiUrl}/console/`);
    await page.getByRole('link', { name: 'Tra cứu hồ sơ' }).click();
    await page.waitForURL('**/console/tra-cuu');
    const search = async (number: string, code: string) => {
      await page.getByLabel('Số hồ sơ').fill(number);
      await page.getByLabel('Mã tra cứu').fill(code);
      await page.getByRole('button', { name: 'Tra cứu' }).click();
    };
    // Malformed: said on the field, nothing sent.
    await search(intake.dossierNumber, 'ABC');
    await shown(page.getByText('Mã tra cứu gồm 8 chữ và số', { exact: false }));
    // The old code: the same answer as a dossier that does not exist.
    await search(intake.dossierNumber, firstCode);
    await shown(page.getByTestId('lookup-failure').getByText('Không tìm thấy hồ sơ', { exact: false }));
    await search('H79.26743-KHONG-CO', newCode);
    await shown(page.getByTestId('lookup-failure').getByText('Không tìm thấy hồ sơ', { exact: false }));

    // The new code, typed as people do: small letters, the dash kept.
    await search(intake.dossierNumber, newCode.toLowerCase());
    const result = await shown(page.getByTestId('lookup-result'));
    await shown(page.getByTestId('lookup-status').filter({ hasText: 'Đang xử lý' }));
    await shown(page.getByTestId('lookup-step-BIRTH_REGISTRATION').getByText('Cần bổ sung hồ sơ'));
    await shown(page.getByTestId('lookup-step-BIRTH_REGISTRATION').getByText(/Cần bổ sung giấy tờ trước \d{2}\/\d{2}\/\d{4}/));
    await shown(page.getByTestId('lookup-todo').getByText('bộ phận một cửa', { exact: false }));
    await shown(page.getByTestId('lookup-step-PERSONAL_ID').getByText('Chờ bước trước'));
    const text = (await result.textContent()) ?? '';
    for (const personal of [intake.child.fullName, intake.mother!.fullName, intake.mother!.personalIdNumber, reason]) expect(text).not.toContain(personal);
    // A phone's width: nothing to scroll sideways.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await screenshot(page, 'citizen-lookup-phone');
  });

  it('a supervisor reads the dashboard on a phone; the desk can be worked from the keyboard', async () => {
    const { page } = await desk('provinceSupervisor', phoneScreen);
    await shown(page.getByText('Tỷ lệ hoàn thành đúng hạn', { exact: false }));
    await shown(page.locator('canvas'));
    await screenshot(page, 'supervisor-dashboard-phone');
    // Nothing wider than the phone: tables scroll inside their cards.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

    // Signing out leaves nothing behind, and signing in works by keyboard alone.
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await shown(page.getByTestId('sign-in-clerk'));
    await page.getByTestId('sign-in-clerk').focus();
    await page.keyboard.press('Enter');
    await shown(page.getByText('Hồ sơ của xã'));
  });

  it("a hospital's birth notice waits as a draft; the clerk completes it with the family; an old death notice is overdue for the supervisor", async () => {
    const fixture = birthIntake();
    const notice = {
      kind: 'BIRTH',
      noticeNumber: `CS-UI-${Date.now().toString(36)}`,
      facility: { code: '79024', name: 'Bệnh viện Từ Dũ' },
      child: { sex: 'FEMALE', dateOfBirth: daysFromToday(-2), placeOfBirth: fixture.child.placeOfBirth },
      mother: { fullName: fixture.mother!.fullName, personalIdNumber: fixture.mother!.personalIdNumber, residence: fixture.mother!.residence },
    };
    const sent = await postJson(`${suite.stack.apiUrl}/v1/notices`, notice, suite.stack.tokens.hospital);
    expect(sent.status).toBe(201);

    const { page: clerk } = await desk('clerk');
    await clerk.getByRole('link', { name: 'Hồ sơ nháp' }).click();
    const row = clerk.locator('tr', { hasText: fixture.mother!.fullName }).filter({ hasText: 'Còn 58 ngày' });
    await (await shown(row.getByRole('button', { name: 'Hoàn thiện với gia đình' }))).click();
    // What the hospital certified is already there; the family adds the rest.
    await shown(clerk.getByText(`Giấy chứng sinh số ${notice.noticeNumber}`, { exact: false }));
    expect(await clerk.locator('#mother_personalIdNumber').inputValue()).toBe(notice.mother.personalIdNumber);
    expect(await clerk.locator('#birthCertificate_number').inputValue()).toBe(notice.noticeNumber);
    await clerk.locator('#child_fullName').fill(fixture.child.fullName);
    await clerk.locator('#child_homeTown').fill(fixture.child.homeTown);
    await clerk.locator('#residence_line').fill(fixture.residence!.line);
    await clerk.locator('#healthInsurance_initialFacilityCode').fill(fixture.healthInsurance!.initialFacilityCode);
    await clerk.locator('#requester_fullName').fill(fixture.requester.fullName);
    await clerk.locator('#requester_personalIdNumber').fill(fixture.requester.personalIdNumber);
    await choose(clerk, 'requester_relationship', 'Mẹ');
    const dossierNumber = await clerk.locator('#dossierNumber').inputValue();
    await screenshot(clerk, 'clerk-draft-from-notice');
    await clerk.getByRole('button', { name: 'Tiếp nhận hồ sơ' }).click();

    // Confirmed: the family takes away the receipt and its code, as for any intake.
    await shown(clerk.getByTestId('receipt-code'));
    await clerk.getByRole('button', { name: 'Xem hồ sơ' }).click();
    await clerk.waitForURL(`**/console/ho-so/${dossierNumber}`);
    await shown(clerk.getByTestId('step-BIRTH_REGISTRATION'));
    const linked = await suite.stack.db.lifeEventNotice.findUniqueOrThrow({ where: { id: sent.body.noticeId }, include: { dossier: true } });
    expect([linked.status, linked.dossier?.dossierNumber]).toEqual(['CONFIRMED', dossierNumber]);

    // A death twenty days ago, never registered: past its 15-day limit, on the supervisor's list.
    const death = deathIntake();
    const deathNotice = {
      kind: 'DEATH',
      noticeNumber: `BT-UI-${Date.now().toString(36)}`,
      facility: { code: '79024', name: 'Bệnh viện Từ Dũ' },
      deceased: { ...death.deceased, dateOfDeath: daysFromToday(-20), residence: { line: '5 Lê Lợi', communeCode: '26743', provinceCode: '79' } },
    };
    expect((await postJson(`${suite.stack.apiUrl}/v1/notices`, deathNotice, suite.stack.tokens.hospital)).status).toBe(201);
    const { page: supervisor } = await desk('provinceSupervisor');
    await supervisor.getByRole('link', { name: 'Nháp quá hạn', exact: true }).click();
    await shown(supervisor.locator('tr', { hasText: death.deceased.fullName }).filter({ hasText: 'Quá hạn' }));
    await screenshot(supervisor, 'supervisor-overdue-drafts');
  });

  it('an officer asks for documents and refuses from the catalogues, the clerk hands in documents from the list: no code is typed', async () => {
    const intake = birthIntake({ procedures: { permanentResidence: false, healthInsurance: false }, residence: undefined, healthInsurance: undefined });
    expect((await postJson(`${suite.stack.apiUrl}/v1/dossiers`, intake, suite.stack.tokens.clerk)).status).toBe(201);
    const first = await openTask(suite.stack.tokens.civilStatusOfficer, intake.dossierNumber, 'BIRTH_REGISTRATION');
    // Nobody decides a task they do not hold, not even through the API.
    const unclaimed = await postJson(`${suite.stack.apiUrl}/v1/tasks/${first.id}/refusal`, { code: 'INCOMPLETE_DOSSIER', reason: 'chưa nhận' }, suite.stack.tokens.civilStatusOfficer);
    expect([unclaimed.status, unclaimed.body.detail]).toEqual([409, `task ${first.id} must be claimed before it is decided`]);
    const civil = await desk('civilStatusOfficer');
    await civil.page.goto(`${suite.stack.apiUrl}/console/nhiem-vu/${first.id}`);
    await claimOnPage(civil.page);
    await civil.page.getByRole('tab', { name: 'Yêu cầu bổ sung' }).click();
    await choose(civil.page, 'documents', 'Giấy chứng sinh (bản chính)');
    await civil.page.keyboard.press('Escape');
    await civil.page.locator('#note').fill('Bản đã nộp bị mờ số giấy');
    await confirmDecision(civil.page, 'Yêu cầu bổ sung', ['Giấy chứng sinh (bản chính)', 'Bản đã nộp bị mờ số giấy']);
    await shown(civil.page.getByTestId('task-ended').filter({ hasText: 'Kết quả: yêu cầu bổ sung.' }));

    // The desk reads the request in words and hands in what the family brought, picked from the step's list.
    const { page: clerk } = await desk('clerk');
    await clerk.goto(`${suite.stack.apiUrl}/console/ho-so/${intake.dossierNumber}`);
    await shown(clerk.getByText('Cần bổ sung: Giấy chứng sinh (bản chính). Bản đã nộp bị mờ số giấy'));
    await choose(clerk, 'documents', 'Giấy chứng sinh (bản chính)');
    await clerk.keyboard.press('Escape');
    await clerk.getByRole('button', { name: 'Gửi bổ sung' }).click();
    const step = () => suite.stack.db.dossierStep.findFirstOrThrow({ where: { dossier: { dossierNumber: intake.dossierNumber }, step: 'BIRTH_REGISTRATION' } });
    expect(await eventually(async () => ((await step()).supplementDocuments.length ? (await step()).supplementDocuments : undefined))).toEqual(['BIRTH_CERTIFICATE']);

    // The next round's task is refused with a reason of the catalogue, shown to the desk by its label.
    const second = await eventually(async () => {
      const task = await openTask(suite.stack.tokens.civilStatusOfficer, intake.dossierNumber, 'BIRTH_REGISTRATION');
      return task.id !== first.id ? task : undefined;
    });
    await civil.page.goto(`${suite.stack.apiUrl}/console/nhiem-vu/${second.id}`);
    await claimOnPage(civil.page);
    await civil.page.getByRole('tab', { name: 'Từ chối' }).click();
    await choose(civil.page, 'code', 'Không xác định được thông tin cha, mẹ');
    await civil.page.locator('#reason').fill('Giấy tờ của cha không khớp');
    await confirmDecision(civil.page, 'Từ chối', ['Không xác định được thông tin cha, mẹ', 'Giấy tờ của cha không khớp']);
    const ended = await suite.stack.untilEnded(intake.dossierNumber);
    expect(ended.steps.find((s: { step: string }) => s.step === 'BIRTH_REGISTRATION').refusal).toMatchObject({ code: 'PARENTS_NOT_IDENTIFIED' });
    await shown(clerk.getByTestId('step-BIRTH_REGISTRATION').getByText('Từ chối: Không xác định được thông tin cha, mẹ'));

    // The API takes codes of its catalogues only, and a document only for a step that takes it.
    const problem = async (path: string, body: unknown, token: string) => {
      const answer = await postJson(`${suite.stack.apiUrl}${path}`, body, token);
      expect(answer.status).toBe(400);
      return answer.body.errors;
    };
    expect(await problem(`/v1/tasks/${second.id}/refusal`, { code: 'INCOMPLETE', reason: 'thiếu giấy' }, suite.stack.tokens.civilStatusOfficer)).toEqual([
      { field: 'body.code', reason: 'not a refusal reason of the catalogue' },
    ]);
    expect(await problem(`/v1/tasks/${second.id}/supplement-request`, { documents: ['GIAY-TO-01'] }, suite.stack.tokens.civilStatusOfficer)).toEqual([
      { field: 'body.documents.0', reason: 'not a document of the catalogue' },
    ]);
    const supplements = `/v1/dossiers/${intake.dossierNumber}/supplements`;
    expect(await problem(supplements, { step: 'BIRTH_REGISTRATION', documents: ['BIRTH_CERTIFICATE', 'HOUSEHOLD_CONSENT'] }, suite.stack.tokens.clerk)).toEqual([
      { field: 'body.documents.1', reason: 'not a document of BIRTH_REGISTRATION' },
    ]);
  });

  it('a phone given with no channel chosen: the family is told by SMS, as the form says', async () => {
    const { page: clerk } = await desk('clerk');
    await clerk.getByRole('link', { name: 'Tiếp nhận khai sinh' }).first().click();
    await shown(clerk.getByText('Để trống: SMS đến số nhận tin hoặc số điện thoại của người đi làm thủ tục', { exact: false }));
    const fixture = birthIntake();
    await fillBirthIntake(clerk, fixture);
    // Only the requester's phone, the contact's fields left as they are.
    const phone = '0987654321';
    await clerk.locator('#requester_phone').fill(phone);
    const dossierNumber = await clerk.locator('#dossierNumber').inputValue();
    await clerk.getByRole('button', { name: 'Tiếp nhận hồ sơ' }).click();
    await shown(clerk.getByTestId('receipt-code'));

    await decide(suite.stack.tokens.civilStatusOfficer, dossierNumber, 'BIRTH_REGISTRATION', 'completion', {
      result: { registrationNumber: '402/2026', book: '01/2026-KS', page: 402, registeredOn: daysFromToday(0) },
    });
    const sent = await eventually(async () => {
      const messages = await gatewayMessages(suite.stack.simulatorUrl, dossierNumber);
      return messages.length > 0 ? messages : undefined;
    });
    expect(sent.map((m) => [m.channel, m.to])).toEqual([['SMS', phone]]);
    const recorded = await suite.stack.db.citizenNotification.findMany({ where: { dossier: { dossierNumber } } });
    expect(recorded.map((n) => [n.event, n.status])).toEqual([['STEP_COMPLETED', 'DELIVERED']]);
    await clerk.getByRole('button', { name: 'Xem hồ sơ' }).click();
    await shown(clerk.getByTestId('announcements').locator('tr', { hasText: 'SMS ••••4321' }).filter({ hasText: 'Đã gửi' }));
  });

  /** The keyboard reaches the element with this id (focus moves after the form has validated). */
  async function expectFocusOn(page: Page, id: string) {
    const focused = () => page.evaluate('document.activeElement?.id') as Promise<string | undefined>;
    await eventually(async () => ((await focused()) === id ? true : undefined), 5_000).catch(() => undefined);
    expect(await focused()).toBe(id);
  }

  /**
   * Nothing a person reads is a code of the API, and no control or icon is named in English; and the
   * page passes axe-core with one h1.
   */
  async function speaksVietnamese(page: Page, where: string) {
    await expectAccessible(page, where);
    const text = (await page.evaluate('document.body.innerText')) as string;
    expect({ where, codes: text.match(/\b[A-Z]{2,}_[A-Z_]+\b/g) ?? [] }).toEqual({ where, codes: [] });
    const names = (await page.evaluate("[...document.querySelectorAll('[aria-label]')].map((e) => e.getAttribute('aria-label'))")) as string[];
    const english = names.filter((n) => /^(Clear|Close|Select all|Select row \d+|Row \d+ selected|Custom selection|[a-z]+(-[a-z]+)*)$/.test(n));
    expect({ where, english }).toEqual({ where, english: [] });
  }

  it('every main page speaks Vietnamese: incidents, journal, people, enum values and control names', async () => {
    // Withdrawn while its card waits, its residence entry the police refuse to revoke: an incident in an agency's words.
    const intake = birthIntake();
    expect((await postJson(`${suite.stack.apiUrl}/v1/dossiers`, intake, suite.stack.tokens.clerk)).status).toBe(201);
    const t = suite.stack.tokens;
    const n = intake.dossierNumber;
    await decide(t.civilStatusOfficer, n, 'BIRTH_REGISTRATION', 'completion', { result: { registrationNumber: '503/2026', book: '01/2026-KS', page: 503, registeredOn: daysFromToday(0) } });
    await decide(t.populationDatabaseSystem, n, 'PERSONAL_ID', 'completion', { result: { personalIdNumber: personalIdFor(intake.child), issuedAt: new Date().toISOString() } });
    await decide(t.policeOfficer, n, 'PERMANENT_RESIDENCE', 'completion', { result: { residenceRecordNumber: 'TT-79-0503', registeredOn: daysFromToday(0) } });
    await eventually(async () => ((await suite.stack.status(n)).steps.find((s: { step: string }) => s.step === 'PERMANENT_RESIDENCE').status === 'COMPLETED' ? true : undefined));
    expect((await postJson(`${suite.stack.apiUrl}/v1/dossiers/${n}/withdrawal`, { reason: 'Gia đình xin rút hồ sơ' }, t.clerk)).status).toBe(202);
    await decide(t.policeOfficer, n, 'PERMANENT_RESIDENCE', 'refusal', { code: 'ALREADY_USED', reason: 'Hộ khẩu đã được dùng để nhập học' }, 'UNDO');
    await eventually(async () => (await suite.stack.db.incident.count({ where: { dossier: { dossierNumber: n }, status: 'OPEN' } })) || undefined, 60_000);
    // A death dossier whose requester is the spouse, waiting in the civil-status officer's inbox.
    const death = deathIntake({ requester: { fullName: 'Phạm Thị Lan', personalIdNumber: '079150001111', relationship: 'SPOUSE' } });
    expect((await postJson(`${suite.stack.apiUrl}/v1/dossiers`, death, t.clerk)).status).toBe(201);
    const deathTask = await openTask(t.civilStatusOfficer, death.dossierNumber, 'DEATH_REGISTRATION');

    const { page: supervisor } = await desk('nationalSupervisor');
    await supervisor.goto(`${suite.stack.apiUrl}/console/ho-so/${n}`);
    await shown(supervisor.getByText('Công an xã từ chối hủy kết quả “Đăng ký thường trú”: Kết quả đã được sử dụng, không thể hủy'));
    await shown(supervisor.getByText('Cán bộ một cửa dev-clerk', { exact: false }));
    await shown(supervisor.getByText('Hoàn thành nhiệm vụ').first());
    await shown(supervisor.getByText('Bước hoàn thành').first());
    await speaksVietnamese(supervisor, 'supervisor: dossier with an incident');
    await supervisor.getByRole('link', { name: 'Hồ sơ tồn đọng' }).click();
    await shown(supervisor.getByRole('link', { name: n }));
    await shown(supervisor.getByRole('checkbox', { name: 'Chọn tất cả' }));
    await speaksVietnamese(supervisor, 'supervisor: stuck dossiers');
    await supervisor.getByRole('link', { name: 'Tổng quan' }).click();
    await shown(supervisor.getByText('Tỷ lệ hoàn thành đúng hạn', { exact: false }));
    await speaksVietnamese(supervisor, 'supervisor: dashboard');
    await supervisor.getByRole('link', { name: 'Nháp quá hạn', exact: true }).click();
    await shown(supervisor.locator('table'));
    await speaksVietnamese(supervisor, 'supervisor: overdue drafts');

    const civil = await desk('civilStatusOfficer');
    await shown(civil.page.getByRole('link', { name: death.dossierNumber }));
    await speaksVietnamese(civil.page, 'officer: inbox');
    await civil.page.goto(`${suite.stack.apiUrl}/console/nhiem-vu/${deathTask.id}`);
    await shown(civil.page.getByText('Vợ/chồng'));
    await speaksVietnamese(civil.page, 'officer: task');

    const { page: clerk } = await desk('clerk');
    await shown(clerk.getByRole('link', { name: n }));
    await speaksVietnamese(clerk, 'clerk: dossiers');
    await clerk.goto(`${suite.stack.apiUrl}/console/ho-so/${n}`);
    await shown(clerk.getByTestId('dossier-status'));
    await speaksVietnamese(clerk, 'clerk: withdrawn dossier');
    for (const [path, where] of [['ho-so/nhap', 'clerk: drafts'], ['ho-so/moi/khai-sinh', 'clerk: birth intake'], ['ho-so/moi/khai-tu', 'clerk: death intake']] as const) {
      await clerk.goto(`${suite.stack.apiUrl}/console/${path}`);
      await shown(clerk.locator('.ant-card, .ant-table').first());
      await speaksVietnamese(clerk, where);
    }
    // A chosen value brings the select's clear button, named in Vietnamese.
    await choose(clerk, 'contact_channel', 'Tin nhắn SMS');
    await clerk.locator('button[aria-label="Xóa lựa chọn"]').first().waitFor({ state: 'attached' });
    await speaksVietnamese(clerk, 'clerk: a select with its clear button');
  });

  it('a refused submit puts the focus on the first field to correct; the pages without sign-in and a decision awaiting confirmation pass axe', async () => {
    const citizen = await suite.anyone();
    await citizen.page.goto(`${suite.stack.apiUrl}/console/`);
    await shown(citizen.page.getByRole('heading', { level: 1, name: 'Liên thông — Đăng nhập' }));
    await speaksVietnamese(citizen.page, 'anyone: sign-in');
    await citizen.page.goto(`${suite.stack.apiUrl}/console/tra-cuu`);
    await citizen.page.getByRole('button', { name: 'Tra cứu' }).click();
    await shown(citizen.page.getByText('Số hồ sơ', { exact: false }).first());
    await expectFocusOn(citizen.page, 'dossierNumber');
    await speaksVietnamese(citizen.page, 'citizen: look-up refused');

    const { page: clerk } = await desk('clerk');
    await clerk.goto(`${suite.stack.apiUrl}/console/ho-so/moi/khai-sinh`);
    await clerk.getByRole('button', { name: 'Tiếp nhận hồ sơ', exact: true }).click();
    // The first field the form marks invalid holds the keyboard, whatever it is.
    await shown(clerk.locator('.ant-form-item-has-error'));
    const firstInvalid = (await clerk.locator('.ant-form-item-has-error').first().locator('input, textarea').first().getAttribute('id'))!;
    await expectFocusOn(clerk, firstInvalid);
    await speaksVietnamese(clerk, 'clerk: birth intake refused');

    const intake = birthIntake();
    expect((await postJson(`${suite.stack.apiUrl}/v1/dossiers`, intake, suite.stack.tokens.clerk)).status).toBe(201);
    const task = await openTask(suite.stack.tokens.civilStatusOfficer, intake.dossierNumber, 'BIRTH_REGISTRATION');
    const civil = await desk('civilStatusOfficer');
    await civil.page.goto(`${suite.stack.apiUrl}/console/nhiem-vu/${task.id}`);
    await claimOnPage(civil.page);
    await civil.page.getByRole('tab', { name: 'Từ chối' }).click();
    await civil.page.getByRole('button', { name: 'Từ chối', exact: true }).last().click();
    await expectFocusOn(civil.page, 'code');
    await speaksVietnamese(civil.page, 'officer: refusal refused');
    await civil.page.getByRole('tab', { name: 'Hoàn thành' }).click();
    await civil.page.getByRole('button', { name: 'Hoàn thành bước' }).click();
    await expectFocusOn(civil.page, 'registrationNumber');
    await civil.page.locator('#registrationNumber').fill('777/2026');
    await civil.page.locator('#book').fill('01/2026-KS');
    await civil.page.locator('#page').fill('777');
    await civil.page.getByRole('button', { name: 'Hoàn thành bước' }).click();
    await shown(civil.page.getByTestId('decision-confirm'));
    await speaksVietnamese(civil.page, 'officer: decision to confirm');
  });
});
