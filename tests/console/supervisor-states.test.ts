import { randomInt } from 'node:crypto';
import { birthIntake } from '../support/fixtures';
import { screenshot, shown } from '../support/browser';
import { browserSuite } from '../support/browser-suite';
import { eventually, getJson, postJson, setAgencyFaults } from '../support/stack';

/**
 * The states clerks and supervisors act on, in a browser: a withdrawn dossier waiting for its undo
 * (no second withdrawal offered), the stuck list's owed steps, and the incidents grouped by error type
 * with a bulk retry whose preview lists what it touches.
 */
describe('console: truthful states for clerks and supervisors', () => {
  const suite = browserSuite({ MANUAL_STEPS: 'COMMUNE_POLICE@79', STEP_MAX_ATTEMPTS: '2' });

  /**
   * Received 20 days ago (the child born the day before): the stuck list puts the earliest deadline
   * first, so these rows lead its first page whatever other test files left in the shared database.
   */
  const submit = async () => {
    const base = birthIntake();
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);
    const intake = birthIntake({ child: { ...base.child, dateOfBirth: daysAgo(21).toISOString().slice(0, 10) }, receivedAt: daysAgo(20).toISOString() });
    expect((await postJson(`${suite.stack.apiUrl}/v1/dossiers`, intake, suite.stack.tokens.clerk)).status).toBe(201);
    return intake.dossierNumber;
  };
  const task = (dossierNumber: string, kind: string) =>
    eventually(async () => (await getJson(`${suite.stack.apiUrl}/v1/tasks?dossierNumber=${encodeURIComponent(dossierNumber)}&kind=${kind}`, suite.stack.tokens.policeOfficer)).body.items[0], 60_000);
  const stepStatus = async (dossierNumber: string, step: string) => (await suite.stack.status(dossierNumber)).steps.find((s: any) => s.step === step)?.status;

  it('withdrawn and waiting for its undo, without a second withdrawal; the owed step; the grouped incidents and their retry preview', async () => {
    // Social security down: its step parks on an incident, and both groups keep running.
    await setAgencyFaults(suite.stack.simulatorUrl, 'social-security', { outage: true });
    const withdrawn = await submit();
    const act = await task(withdrawn, 'ACT');
    expect((await postJson(`${suite.stack.apiUrl}/v1/tasks/${act.id}/claim`, {}, suite.stack.tokens.policeOfficer)).status).toBe(200);
    const result = { residenceRecordNumber: `TT-79-${randomInt(10_000)}`, registeredOn: new Date().toISOString().slice(0, 10) };
    expect((await postJson(`${suite.stack.apiUrl}/v1/tasks/${act.id}/completion`, { result }, suite.stack.tokens.policeOfficer)).status).toBe(200);
    await eventually(async () => ((await stepStatus(withdrawn, 'PERMANENT_RESIDENCE')) === 'COMPLETED' ? true : undefined));
    expect((await postJson(`${suite.stack.apiUrl}/v1/dossiers/${withdrawn}/withdrawal`, { reason: 'the family withdraws' }, suite.stack.tokens.clerk)).status).toBe(202);
    // Back for a moment: the card's undo (newest first) goes through, and the police's undo task opens.
    await setAgencyFaults(suite.stack.simulatorUrl, 'social-security', { outage: false });
    await task(withdrawn, 'UNDO');
    await setAgencyFaults(suite.stack.simulatorUrl, 'social-security', { outage: true });
    const parked = await submit();
    await eventually(async () => ((await stepStatus(parked, 'CHILD_HEALTH_INSURANCE')) === 'INCIDENT' ? true : undefined), 90_000);

    const clerk = await suite.desk('clerk');
    await clerk.page.goto(`${suite.stack.apiUrl}/console/ho-so/${encodeURIComponent(withdrawn)}`);
    await shown(clerk.page.getByTestId('dossier-status').filter({ hasText: 'Đang rút, chờ hủy kết quả' }));
    await shown(clerk.page.getByTestId('step-PERMANENT_RESIDENCE').getByText('Hủy kết quả đã cấp', { exact: false }));
    expect(await clerk.page.getByRole('button', { name: 'Rút hồ sơ theo yêu cầu công dân' }).count()).toBe(0);
    expect(await clerk.page.getByText(/bù trừ|compensat/i).count()).toBe(0);

    const supervisor = await suite.desk('provinceSupervisor');
    const page = supervisor.page;
    await page.goto(`${suite.stack.apiUrl}/console/giam-sat/ho-so`);
    const row = page.locator('tr', { hasText: withdrawn });
    await shown(row.getByText('Đang rút, chờ hủy kết quả'));
    await shown(row.getByTestId('open-step-PERMANENT_RESIDENCE').getByText('Chờ cơ quan hủy kết quả đã cấp từ', { exact: false }));
    await shown(page.locator('tr', { hasText: parked }).getByTestId('open-step-CHILD_HEALTH_INSURANCE').getByText('Sự cố – chờ giám sát từ', { exact: false }));

    const groups = await shown(page.getByTestId('incident-groups'));
    const group = groups.locator('tr', { hasText: 'Hệ thống của cơ quan không hoạt động hoặc quá tải' }).filter({ hasText: 'Cấp thẻ BHYT trẻ em dưới 6 tuổi' });
    await shown(group);
    await group.getByRole('button', { name: 'Thử lại nhóm này' }).click();
    const items = await shown(page.getByTestId('bulk-items'));
    await shown(items.getByText(parked, { exact: false }));
    await screenshot(page, 'supervisor-incident-groups');
    expect(await page.getByText(/bù trừ|compensat/i).count()).toBe(0);
    await setAgencyFaults(suite.stack.simulatorUrl, 'social-security', { outage: false });
  });
});
