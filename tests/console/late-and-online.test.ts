import { lateReasons } from '../../domain/appointment-changes';
import { createWorkingCalendar, toVietnamDate } from '../../domain/working-days';
import { choose, phoneScreen, pickDate, screenshot, shown } from '../support/browser';
import { browserSuite } from '../support/browser-suite';
import { birthIntake, receivedLate } from '../support/fixtures';
import { portalStatusesOf, setPortal, submitOnline } from '../support/portal';
import { claimOnPage } from '../support/task-page';
import { eventually, getJson, postJson } from '../support/stack';

const day = 86_400_000;
const calendar = createWorkingCalendar();
/** 2026-09-30 as the console writes it: 30/09/2026. */
const dayFirst = (isoDate: string) => isoDate.split('-').reverse().join('/');

/**
 * Nghị định 63 Điều 7.3 and the online channel, in the browser: the officer of a late dossier apologises
 * with a new date from the task page (confirmed first; a second apology while that date stands is
 * refused in plain words), the citizen's look-up shows the new date and why, the supervisor's dashboard
 * counts the apology; and the portal's refused status messages reach the supervisor, who sends them again.
 */
describe('console: a late dossier apologised for, and status messages the portal did not take', () => {
  // The automatic apology waits 10 hours: the officer's is the one under test.
  const suite = browserSuite({ MANUAL_STEPS: 'CIVIL_STATUS', APOLOGY_AUTOMATIC_AFTER_MINUTES: '600' });

  /** The first working day at least `after` days from today. */
  const workingDay = (after: number) => {
    for (let d = after; ; d++) {
      const date = toVietnamDate(new Date(Date.now() + d * day));
      if (calendar.isWorkingDay(date)) return date;
    }
  };

  it('the officer apologises for a late dossier with a new date; the citizen reads it on a phone; the dashboard counts it', async () => {
    const { stack } = suite;
    // The civil-status office's figures so far (other test files apologise too, in the shared database).
    const figures = async () => {
      const row = (await getJson(`${stack.apiUrl}/v1/supervision/summary`, stack.tokens.provinceSupervisor)).body.appointmentChangesByAgency.find((a: { agency: string }) => a.agency === 'CIVIL_STATUS');
      return [row?.apologies ?? 0, row?.automaticApologies ?? 0, row?.verifications ?? 0].map(String);
    };
    const before = await figures();
    // Filed 8 days ago or more: past its 3 working days.
    const intake = birthIntake({ receivedAt: receivedLate() });
    const filed = await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    expect(filed.status).toBe(201);
    const task = await eventually(async () => (await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${encodeURIComponent(intake.dossierNumber)}&step=BIRTH_REGISTRATION`, stack.tokens.civilStatusOfficer)).body.items[0], 90_000);

    const { page } = await suite.desk('civilStatusOfficer');
    await page.goto(`${stack.apiUrl}/console/nhiem-vu/${task.id}`);
    await claimOnPage(page);
    const late = await shown(page.getByTestId('appointment-actions'));
    const newDate = workingDay(3);
    await pickDate(page, 'apology_newDate', newDate);
    await choose(page, 'apology_reasonCode', lateReasons.WORKLOAD);
    await late.getByRole('button', { name: 'Xin lỗi và hẹn lại' }).click();
    // Nothing is sent before the officer confirms what the citizen will be told.
    await shown(page.getByTestId('appointment-confirm').getByText(`Hẹn lại ngày ${dayFirst(newDate)}`, { exact: false }));
    expect(await stack.db.appointmentChange.count({ where: { dossier: { dossierNumber: intake.dossierNumber } } })).toBe(0);
    await page.getByRole('button', { name: 'Gửi thông báo' }).click();
    await shown(page.getByTestId('appointment-recorded').getByText(`Đã gửi phiếu xin lỗi lần 1, hẹn lại ngày ${dayFirst(newDate)}`));
    await screenshot(page, 'officer-apology');

    // A second apology while the new date stands: refused by the workflow, said in plain words, nothing recorded.
    await late.getByRole('button', { name: 'Xin lỗi và hẹn lại' }).click();
    await page.getByRole('button', { name: 'Gửi thông báo' }).click();
    await shown(page.getByTestId('appointment-refused'));
    expect(await stack.db.appointmentChange.count({ where: { dossier: { dossierNumber: intake.dossierNumber } } })).toBe(1);

    // The family, at home on a phone: the new date, and the apology with its reason.
    const citizen = await suite.anyone(phoneScreen);
    await citizen.page.goto(`${stack.apiUrl}/console/tra-cuu`);
    await citizen.page.getByLabel('Số hồ sơ').fill(intake.dossierNumber);
    await citizen.page.getByLabel('Mã tra cứu').fill(filed.body.receiptCode);
    await citizen.page.getByRole('button', { name: 'Tra cứu' }).click();
    await shown(citizen.page.getByTestId('lookup-appointment').filter({ hasText: dayFirst(newDate) }));
    const told = await shown(citizen.page.getByTestId('appointment-change-APOLOGY-1'));
    await shown(told.getByText(lateReasons.WORKLOAD, { exact: false }));
    await screenshot(citizen.page, 'citizen-apology-phone');

    // The supervisor's dashboard counts the apology against the agency that was late.
    const supervisor = await suite.desk('provinceSupervisor');
    const row = await shown(supervisor.page.getByTestId('apologies-by-agency').locator('tr', { hasText: 'Tư pháp – hộ tịch' }));
    expect((await row.locator('td').allTextContents()).slice(1)).toEqual([String(Number(before[0]) + 1), before[1], before[2]]);
  });

  it("a status message the portal refused is shown to the supervisor, who sends it again once the portal takes it", async () => {
    const { stack } = suite;
    // The portal refuses every message (a 4xx): they are closed as refused, not retried on their own.
    await setPortal(stack, { refuseWith: 422 });
    const intake = birthIntake({ dossierNumber: `H79.26743-DVC-${Date.now().toString(36)}` });
    expect((await submitOnline(stack, intake)).status).toBe(201);
    await eventually(async () => ((await stack.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM portal_status_outbox o JOIN dossier d ON d.id = o.dossier_id WHERE d.dossier_number = ${intake.dossierNumber} AND o.outcome = 'REJECTED'`)[0]!.n > 0n ? true : undefined), 60_000);

    const { page } = await suite.desk('provinceSupervisor');
    const alert = await shown(page.getByTestId('portal-undelivered'), 30_000);
    await screenshot(page, 'supervisor-portal-undelivered');
    await setPortal(stack, { refuseWith: null });
    await alert.getByRole('button', { name: 'Gửi lại' }).click();
    const dialog = page.getByRole('dialog', { name: 'Gửi lại tin nhắn lên Cổng Dịch vụ công' });
    // No reason, no act.
    expect(await dialog.getByRole('button', { name: 'Gửi lại' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Lý do (ghi vào nhật ký)').fill('Cổng đã sửa lỗi tiếp nhận');
    await dialog.getByRole('button', { name: 'Gửi lại' }).click();
    await shown(page.getByTestId('portal-requeued'));
    // Delivered in order, each once; the warning goes once nothing is left undelivered.
    const statuses = await eventually(async () => {
      const got = await portalStatusesOf(stack, intake.dossierNumber);
      return got.length > 0 && got[0]!.event === 'RECEIVED' ? got : undefined;
    }, 60_000);
    expect(statuses.map((s) => s.sequence)).toEqual(statuses.map((_, i) => i + 1));
    expect(statuses.every((s) => s.calls === 1)).toBe(true);
    await page.getByTestId('portal-undelivered').waitFor({ state: 'detached', timeout: 30_000 });
    const audit = await stack.db.auditEntry.findMany({ where: { action: 'portal.requeueMessages', dossierNumber: intake.dossierNumber } });
    expect(audit).toHaveLength(1);
  });
});
