import { createDatabaseMetricsSource } from '../../runtime/metrics-source';
import { birthIntake } from '../support/fixtures';
import { gatewayMessages, setGatewayFaults } from '../support/notifications';
import { eventually, getJson, postJson, setAgencyFaults, startStack, type Stack } from '../support/stack';

const contact = { phone: '0912345678' };

/**
 * The citizen is told: each step's outcome, each supplement owed and the group's end are recorded with
 * the state change in one transaction and sent by the worker's relay to the notification gateway (the
 * simulator's), once each, in Vietnamese, without names or ID numbers.
 */
describe('announcements to the citizen', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await fetch(`${stack.simulatorUrl}/_control/reset-faults`, { method: 'POST' });
    await setGatewayFaults(stack.simulatorUrl, { outage: false, latencyMs: 0 });
    await stack.stop();
  });

  const rowsOf = (dossierNumber: string) =>
    stack.db.citizenNotification.findMany({ where: { dossier: { dossierNumber } }, orderBy: { recordedAt: 'asc' } });
  /** Waits until every announcement of the dossier has left PENDING. */
  const settled = (dossierNumber: string) =>
    eventually(async () => {
      const rows = await rowsOf(dossierNumber);
      return rows.some((r) => r.event === 'GROUP_ENDED') && rows.every((r) => r.status !== 'PENDING') ? rows : undefined;
    });
  const submit = async (intake: ReturnType<typeof birthIntake>) => {
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    return stack.untilEnded(intake.dossierNumber);
  };

  it('announces each completed step and the group finished, once each, in Vietnamese, with no names or ID numbers', async () => {
    const intake = birthIntake({ contact });
    expect((await submit(intake)).status).toBe('COMPLETED');
    const rows = await settled(intake.dossierNumber);
    expect(rows.map((r) => `${r.event}:${r.step}:${r.status}`).sort()).toEqual(
      [
        'GROUP_ENDED::DELIVERED',
        'STEP_COMPLETED:BIRTH_REGISTRATION:DELIVERED',
        'STEP_COMPLETED:CHILD_HEALTH_INSURANCE:DELIVERED',
        'STEP_COMPLETED:PERMANENT_RESIDENCE:DELIVERED',
        'STEP_COMPLETED:PERSONAL_ID:DELIVERED',
      ].sort(),
    );

    const messages = await gatewayMessages(stack.simulatorUrl, intake.dossierNumber);
    // Exactly once each: one message per recorded row, keyed by its id.
    expect(messages.map((m) => m.idempotencyKey).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(messages.every((m) => m.channel === 'SMS' && m.to === contact.phone)).toBe(true);
    const texts = messages.map((m) => m.text);
    expect(texts).toContain(`Thủ tục "Cấp số định danh cá nhân" của hồ sơ ${intake.dossierNumber} đã được giải quyết xong. Tra cứu bằng mã hồ sơ trên Cổng Dịch vụ công hoặc ứng dụng VNeID.`);
    expect(texts).toContain(`Hồ sơ liên thông khai sinh ${intake.dossierNumber} đã được giải quyết xong tất cả các thủ tục. Kết quả điện tử đã có: tải về tại trang tra cứu hồ sơ bằng số hồ sơ và mã tra cứu trên giấy tiếp nhận.`);
    const personal = [intake.child.fullName, intake.mother!.fullName, intake.father!.fullName, intake.mother!.personalIdNumber, intake.father!.personalIdNumber];
    const issued = await stack.db.dossierStep.findMany({ where: { dossier: { dossierNumber: intake.dossierNumber } } });
    const results = issued.flatMap((s) => Object.values((s.result ?? {}) as Record<string, unknown>)).filter((v): v is string => typeof v === 'string' && v.length > 6);
    for (const { title, text } of messages) {
      for (const value of [...personal, ...results]) expect(`${title} ${text}`).not.toContain(value);
    }

    // The clerk's dossier status lists them, the phone masked; an agency's has no announcements at all.
    const status = await stack.status(intake.dossierNumber);
    expect(status.announcements).toHaveLength(5);
    expect(status.announcements[4]).toMatchObject({ event: 'GROUP_ENDED', step: null, channel: 'SMS', recipient: '••••5678', status: 'DELIVERED', attempts: 1 });
    expect(JSON.stringify(status.announcements)).not.toContain(contact.phone);
    const asAgency = await getJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}`, stack.tokens.policeOfficer);
    expect(asAgency.status).toBe(200);
    expect(asAgency.body.announcements).toBeUndefined();
  });

  it('announces a refusal by its category and a supplement owed with its due date', async () => {
    await setAgencyFaults(stack.simulatorUrl, 'police', { refusalRate: 1, refusalCode: 'HOUSEHOLD_CONSENT_MISSING' });
    await setAgencyFaults(stack.simulatorUrl, 'social-security', { supplementRate: 1 });
    const intake = birthIntake({ contact: { email: 'me@example.vn' } });
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk)).status).toBe(201);
    const supplementRow = await eventually(async () =>
      (await rowsOf(intake.dossierNumber)).find((r) => r.event === 'SUPPLEMENT_REQUESTED' && r.status === 'DELIVERED'),
    );
    expect(supplementRow).toMatchObject({ step: 'CHILD_HEALTH_INSURANCE', round: 0 });
    await setAgencyFaults(stack.simulatorUrl, 'social-security', { supplementRate: 0 });
    const supplement = await postJson(`${stack.apiUrl}/v1/dossiers/${intake.dossierNumber}/supplements`, { step: 'CHILD_HEALTH_INSURANCE', documents: ['HEALTH_FACILITY_DECLARATION'] }, stack.tokens.clerk);
    expect(supplement.status).toBe(202);
    expect((await stack.untilEnded(intake.dossierNumber)).status).toBe('PARTIALLY_COMPLETED');
    await fetch(`${stack.simulatorUrl}/_control/reset-faults`, { method: 'POST' });

    const rows = await settled(intake.dossierNumber);
    expect(rows.filter((r) => r.event !== 'STEP_COMPLETED').map((r) => `${r.event}:${r.step}:${r.code ?? ''}:${r.status}`).sort()).toEqual([
      'GROUP_ENDED::PARTIALLY_COMPLETED:DELIVERED',
      'STEP_REFUSED:PERMANENT_RESIDENCE:HOUSEHOLD_CONSENT_MISSING:DELIVERED',
      'SUPPLEMENT_REQUESTED:CHILD_HEALTH_INSURANCE::DELIVERED',
    ]);
    const messages = await gatewayMessages(stack.simulatorUrl, intake.dossierNumber);
    expect(messages).toHaveLength(rows.length);
    expect(messages.every((m) => m.channel === 'EMAIL' && m.to === 'me@example.vn')).toBe(true);
    const refusal = messages.find((m) => m.idempotencyKey === rows.find((r) => r.event === 'STEP_REFUSED')!.id)!;
    expect(refusal.title).toBe(`Hồ sơ ${intake.dossierNumber}: Đăng ký thường trú không được giải quyết`);
    expect(refusal.text).toContain('Lý do: hồ sơ còn thiếu giấy tờ hoặc ý kiến đồng ý cần thiết.');
    // Never the agency's own wording.
    expect(refusal.text).not.toContain('refused');
    const owed = messages.find((m) => m.idempotencyKey === supplementRow.id)!;
    expect(owed.text).toMatch(new RegExp(`^Hồ sơ ${intake.dossierNumber.replace(/\./g, '\\.')} cần bổ sung giấy tờ cho thủ tục "Cấp thẻ BHYT cho trẻ em dưới 6 tuổi"\\. .* trước ngày \\d{2}/\\d{2}/\\d{4};`));
  });

  it('keeps announcements pending while the gateway is down and delivers them once it is back', async () => {
    await setGatewayFaults(stack.simulatorUrl, { outage: true });
    const intake = birthIntake({ contact, procedures: { permanentResidence: false, healthInsurance: false } });
    expect((await submit(intake)).status).toBe('COMPLETED');
    // Tried and retried with backoff, still pending, and counted as such.
    await eventually(async () => {
      const rows = await rowsOf(intake.dossierNumber);
      return rows.length === 3 && rows.every((r) => r.status === 'PENDING' && r.attempts >= 2) ? rows : undefined;
    });
    const pending = await createDatabaseMetricsSource(stack.db).undeliveredNotificationCounts();
    expect(pending.find((c) => c.status === 'PENDING')!.count).toBeGreaterThanOrEqual(3);
    expect(await gatewayMessages(stack.simulatorUrl, intake.dossierNumber)).toEqual([]);

    await setGatewayFaults(stack.simulatorUrl, { outage: false });
    const rows = await settled(intake.dossierNumber);
    expect(rows.every((r) => r.status === 'DELIVERED' && r.lastError === null)).toBe(true);
    expect((await gatewayMessages(stack.simulatorUrl, intake.dossierNumber)).map((m) => [m.idempotencyKey, m.calls])).toEqual(
      expect.arrayContaining(rows.map((r) => [r.id, 1])),
    );
  });

  it('records nothing to send for a dossier without a contact', async () => {
    const intake = birthIntake();
    expect((await submit(intake)).status).toBe('COMPLETED');
    const rows = await settled(intake.dossierNumber);
    expect(rows.length).toBe(5);
    expect(rows.every((r) => r.status === 'SKIPPED' && r.attempts === 0)).toBe(true);
    expect((await stack.status(intake.dossierNumber)).announcements.every((a: any) => a.status === 'SKIPPED' && a.channel === null && a.recipient === null)).toBe(true);
    expect(await gatewayMessages(stack.simulatorUrl, intake.dossierNumber)).toEqual([]);
  });

  it('gives up after the configured attempts when the gateway refuses, visibly', async () => {
    const intake = birthIntake({ contact, procedures: { permanentResidence: false, healthInsurance: false } });
    await setGatewayFaults(stack.simulatorUrl, { outage: true });
    expect((await submit(intake)).status).toBe('COMPLETED');
    const rows = await eventually(async () => {
      const found = await rowsOf(intake.dossierNumber);
      return found.length === 3 && found.every((r) => r.status === 'FAILED') ? found : undefined;
    }, 60_000);
    await setGatewayFaults(stack.simulatorUrl, { outage: false });
    expect(rows.every((r) => r.attempts === stack.config.NOTIFICATION_MAX_ATTEMPTS && r.lastError === 'gateway answered HTTP 503')).toBe(true);
    const counts = await createDatabaseMetricsSource(stack.db).undeliveredNotificationCounts();
    expect(counts.find((c) => c.status === 'FAILED')!.count).toBeGreaterThanOrEqual(3);
  });
});
