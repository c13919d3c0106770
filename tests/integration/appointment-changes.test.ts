import { randomUUID } from 'node:crypto';
import { createWorkingCalendar, toVietnamDate } from '../../domain/working-days';
import { birthIntake, receivedLate } from '../support/fixtures';
import { gatewayMessages, setGatewayFaults } from '../support/notifications';
import { pdfText } from '../support/pdf-text';
import { eventually, getJson, postJson, startStack, type Stack } from '../support/stack';

const day = 86_400_000;
const calendar = createWorkingCalendar();

/**
 * Nghị định 63 Điều 7.2–7.3 over HTTP on the real stack: an apology from the late step's task, refused
 * to another agency (403), for a bad date (400 on body.newDate), for a dossier not late (409), recorded
 * once when sent twice at once; announced once even through a gateway outage; a verification once.
 */
describe('apologies and verification through the API', () => {
  let stack: Stack;
  beforeAll(async () => {
    // The automatic apology waits 10 hours: only the officers' apologies happen here.
    stack = await startStack({ MANUAL_STEPS: 'CIVIL_STATUS', APOLOGY_AUTOMATIC_AFTER_MINUTES: '600', NOTIFICATION_RETRY_INITIAL_MS: '200', NOTIFICATION_RETRY_MAX_MS: '500' });
  });
  afterAll(async () => {
    await setGatewayFaults(stack.simulatorUrl, { outage: false, latencyMs: 0 });
    await stack.stop();
  });

  /** A dossier filed now, or long enough ago to be past its 3 working days; its civil-status task open. */
  const file = async (when: 'late' | 'now') => {
    const intake = birthIntake({ contact: { phone: '0912345678' }, receivedAt: when === 'late' ? receivedLate() : new Date().toISOString() });
    const answer = await postJson(`${stack.apiUrl}/v1/dossiers`, intake, stack.tokens.clerk);
    expect(answer.status).toBe(201);
    const task = await eventually(async () => {
      const { body } = await getJson(`${stack.apiUrl}/v1/tasks?dossierNumber=${encodeURIComponent(intake.dossierNumber)}&step=BIRTH_REGISTRATION`, stack.tokens.civilStatusOfficer);
      return body.items[0];
    }, 90_000);
    return { dossierNumber: intake.dossierNumber, receiptCode: answer.body.receiptCode as string, taskId: task.id as string };
  };
  /** The next working day at least `after` days from today, and the next Sunday. */
  const workingDay = (after: number) => {
    for (let d = after; ; d++) {
      const date = toVietnamDate(new Date(Date.now() + d * day));
      if (calendar.isWorkingDay(date)) return date;
    }
  };
  const sunday = () => {
    for (let d = 1; ; d++) {
      const at = new Date(Date.now() + d * day);
      if (new Date(`${toVietnamDate(at)}T12:00:00Z`).getUTCDay() === 0) return toVietnamDate(at);
    }
  };
  const apologise = (taskId: string, body: unknown, token = stack.tokens.civilStatusOfficer, key = randomUUID()) =>
    postJson(`${stack.apiUrl}/v1/tasks/${taskId}/apology`, body, token, { 'idempotency-key': key });
  const changesOf = (dossierNumber: string) => stack.db.appointmentChange.findMany({ where: { dossier: { dossierNumber } } });
  const announcementsOf = (dossierNumber: string, event: 'APPOINTMENT_RESCHEDULED' | 'VERIFICATION_EXTENDED') =>
    stack.db.citizenNotification.findMany({ where: { dossier: { dossierNumber }, event } });

  it('refuses an officer of another agency (403), a bad date (400 on body.newDate), and a dossier not late (409)', async () => {
    const late = await file('late');
    const good = { newDate: workingDay(3), reasonCode: 'WORKLOAD' };
    expect((await apologise(late.taskId, good, stack.tokens.policeOfficer)).status).toBe(403);
    for (const newDate of [toVietnamDate(new Date(Date.now() - 2 * day)), toVietnamDate(new Date()), sunday(), '2026-02-30']) {
      const answer = await apologise(late.taskId, { ...good, newDate });
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.[0]?.field).toBe('body.newDate');
    }
    expect((await apologise(late.taskId, { ...good, reasonCode: 'AUTOMATIC' })).status).toBe(400);
    const onTime = await file('now');
    const early = await apologise(onTime.taskId, good);
    expect(early.status).toBe(409);
    expect(early.body.detail).toMatch(/not late/);
    expect(await changesOf(late.dossierNumber)).toHaveLength(0);
    expect(await changesOf(onTime.dossierNumber)).toHaveLength(0);
  });

  it('two apologies sent at once: one recorded and announced once, even with the gateway down meanwhile; the new date everywhere', async () => {
    const late = await file('late');
    await setGatewayFaults(stack.simulatorUrl, { outage: true });
    const newDate = workingDay(3);
    const answers = await Promise.all([apologise(late.taskId, { newDate, reasonCode: 'WORKLOAD', reasonText: 'nhiều hồ sơ' }), apologise(late.taskId, { newDate, reasonCode: 'SYSTEM_OUTAGE' })]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const recorded = answers.find((a) => a.status === 200)!.body;
    expect(recorded).toMatchObject({ dossierNumber: late.dossierNumber, kind: 'APOLOGY', ordinal: 1 });
    // The same click again (its idempotency key): the same answer, nothing more.
    expect(await changesOf(late.dossierNumber)).toHaveLength(1);
    // A second apology while the new date stands: 409.
    expect((await apologise(late.taskId, { newDate: workingDay(5), reasonCode: 'OTHER' })).status).toBe(409);

    // Announced while the gateway is down: tried, still pending; then delivered once when it is back.
    const [row] = await eventually(async () => {
      const rows = await announcementsOf(late.dossierNumber, 'APPOINTMENT_RESCHEDULED');
      return rows.length === 1 && rows[0]!.attempts >= 1 ? rows : undefined;
    });
    expect(row!.status).toBe('PENDING');
    await setGatewayFaults(stack.simulatorUrl, { outage: false });
    await eventually(async () => ((await announcementsOf(late.dossierNumber, 'APPOINTMENT_RESCHEDULED'))[0]?.status === 'DELIVERED' ? true : undefined));
    const messages = (await gatewayMessages(stack.simulatorUrl, late.dossierNumber)).filter((m) => m.idempotencyKey === row!.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.calls).toBe(1);
    const [y, m, d] = newDate.split('-');
    expect(messages[0]!.text).toContain(`Ngày hẹn trả kết quả mới: ${d}/${m}/${y}`);
    expect(messages[0]!.text).toContain('xin lỗi');

    // The staff view and the public look-up show the new appointment.
    const status = await stack.status(late.dossierNumber);
    expect(status.appointmentAt).toBe(recorded.appointmentAt);
    expect(status.appointmentChanges).toEqual([expect.objectContaining({ kind: 'APOLOGY', agency: 'CIVIL_STATUS', issuedBy: 'dev-civil-status-79-26743', automatic: false })]);
    const lookup = await postJson(`${stack.apiUrl}/v1/public/dossier-status`, { dossierNumber: late.dossierNumber, receiptCode: late.receiptCode });
    expect(lookup.status).toBe(200);
    expect(lookup.body.appointmentAt).toBe(recorded.appointmentAt);
    expect(JSON.stringify(lookup.body)).not.toContain('nhiều hồ sơ');

    // Counted for the agency on the supervisor's summary.
    const summary = await getJson(`${stack.apiUrl}/v1/supervision/summary`, stack.tokens.provinceSupervisor);
    expect(summary.body.appointmentChangesByAgency).toEqual(expect.arrayContaining([expect.objectContaining({ agency: 'CIVIL_STATUS' })]));
    expect(summary.body.appointmentChangesByAgency.find((a: any) => a.agency === 'CIVIL_STATUS').apologies).toBeGreaterThanOrEqual(1);
  });

  it('a verification is declared once (a second: 409), extends the deadline to 5 working days and is announced', async () => {
    const dossier = await file('now');
    const before = await stack.status(dossier.dossierNumber);
    const declare = () => postJson(`${stack.apiUrl}/v1/tasks/${dossier.taskId}/verification`, { reasonCode: 'RESIDENCE_CHECK' }, stack.tokens.civilStatusOfficer, { 'idempotency-key': randomUUID() });
    const first = await declare();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ kind: 'VERIFICATION', ordinal: 1 });
    expect(Date.parse(first.body.appointmentAt)).toBeGreaterThan(Date.parse(before.dueAt));
    expect(calendar.workingDaysBetween(new Date(before.dueAt), new Date(first.body.appointmentAt))).toBe(2);
    const second = await declare();
    expect(second.status).toBe(409);
    expect(second.body.detail).toMatch(/already been declared/);
    const after = await stack.status(dossier.dossierNumber);
    expect(after.dueAt).toBe(first.body.appointmentAt);
    expect(after.appointmentAt).toBe(first.body.appointmentAt);
    expect(await changesOf(dossier.dossierNumber)).toHaveLength(1);
    await eventually(async () => ((await announcementsOf(dossier.dossierNumber, 'VERIFICATION_EXTENDED'))[0]?.status === 'DELIVERED' ? true : undefined));
  });

  it("an apology racing the step's completion: each answered as recorded, told once; the receipt PDF carries the new date", async () => {
    const late = await file('late');
    expect((await postJson(`${stack.apiUrl}/v1/tasks/${late.taskId}/claim`, {}, stack.tokens.civilStatusOfficer)).status).toBe(200);
    const newDate = workingDay(2);
    const result = { registrationNumber: '88/2026', book: '01/2026-KS', page: 88, registeredOn: toVietnamDate(new Date()) };
    const [apology, completion] = await Promise.all([
      apologise(late.taskId, { newDate, reasonCode: 'DATA_CHECK' }),
      postJson(`${stack.apiUrl}/v1/tasks/${late.taskId}/completion`, { result }, stack.tokens.civilStatusOfficer, { 'idempotency-key': randomUUID() }),
    ]);
    expect(completion.status).toBe(200);
    // The apology is taken (the dossier was late and still running) or refused outright; never half-recorded.
    expect([200, 409]).toContain(apology.status);
    const recorded = apology.status === 200;
    const ended = await stack.untilEnded(late.dossierNumber);
    expect(await changesOf(late.dossierNumber)).toHaveLength(recorded ? 1 : 0);
    expect(await announcementsOf(late.dossierNumber, 'APPOINTMENT_RESCHEDULED')).toHaveLength(recorded ? 1 : 0);
    expect(ended.steps.find((s: { step: string }) => s.step === 'BIRTH_REGISTRATION')).toMatchObject({ status: 'COMPLETED', result: expect.objectContaining({ registrationNumber: '88/2026' }) });

    // The citizen's receipt, downloaded with the receipt code: the date promised now.
    const download = await fetch(`${stack.apiUrl}/v1/public/dossier-results/receipt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dossierNumber: late.dossierNumber, receiptCode: late.receiptCode }),
    });
    expect(download.status).toBe(200);
    const text = await pdfText(new Uint8Array(await download.arrayBuffer()));
    const [y, m, d] = (recorded ? newDate : toVietnamDate(new Date(ended.dueAt))).split('-');
    expect(text).toContain(`${d}/${m}/${y}`);
    if (recorded) expect(text).toContain('Ngày hẹn ban đầu');
  });
});
