import { randomUUID } from 'node:crypto';
import { createNoticeActivities } from '../../activities/notices';
import { finishInterruptedConfirmations } from '../../api/notices';
import { createLogger } from '../../runtime/logger';
import { noticeWorkflowIdFor } from '../../workflows/contract';
import { birthIntake, deathIntake } from '../support/fixtures';
import { gatewayMessages, setGatewayFaults } from '../support/notifications';
import { eventually, getJson, postJson, startStack, type Stack } from '../support/stack';

/**
 * A health facility's notice opens a draft at the family's commune desk; the clerk completes it with
 * the family and confirms it; it becomes the ordinary group, linked to its notice, and the notice's
 * timers stop. Real HTTP, real Temporal, real PostgreSQL.
 */
describe('life-event notices: from the facility to the desk', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  const bornDaysAgo = (days: number) => new Date(Date.now() - days * 86_400_000 + 7 * 3600_000).toISOString().slice(0, 10);
  const birthNotice = (overrides: Record<string, unknown> = {}) => ({
    kind: 'BIRTH',
    noticeNumber: `CS-${randomUUID().slice(0, 12)}`,
    facility: { code: '79024', name: 'Bệnh viện Từ Dũ' },
    child: { sex: 'FEMALE', dateOfBirth: bornDaysAgo(3), placeOfBirth: 'Bệnh viện Từ Dũ, Thành phố Hồ Chí Minh', weightGrams: 3100 },
    mother: { fullName: 'Trần Thị Bích', personalIdNumber: '079195001234', residence: { line: '12 Nguyễn Trãi', communeCode: '26743', provinceCode: '79' } },
    ...overrides,
  });
  const notices = (token: string, query = '') => getJson(`${stack.apiUrl}/v1/notices${query}`, token);
  const announcementsOf = (noticeId: string) => stack.db.citizenNotification.findMany({ where: { noticeId }, orderBy: { round: 'asc' } });

  it('a birth notice opens one draft however often it is sent; the desk completes it and the group runs', async () => {
    const notice = birthNotice();
    const first = await postJson(`${stack.apiUrl}/v1/notices`, notice, stack.tokens.hospital);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'DRAFT', timersStarted: true });
    const noticeId: string = first.body.noticeId;
    // The same notice again (the facility's retry) is the same draft; other content under its number is refused.
    const again = await postJson(`${stack.apiUrl}/v1/notices`, notice, stack.tokens.hospital);
    expect([again.status, again.body.noticeId]).toEqual([200, noticeId]);
    const conflicting = await postJson(`${stack.apiUrl}/v1/notices`, { ...notice, child: { ...notice.child, sex: 'MALE' } }, stack.tokens.hospital);
    expect(conflicting.status).toBe(409);
    expect(conflicting.body.errors).toEqual([{ field: 'body.noticeNumber', reason: expect.any(String) }]);
    expect(await stack.db.lifeEventNotice.count({ where: { noticeNumber: notice.noticeNumber } })).toBe(1);
    expect((await stack.temporal.workflow.getHandle(noticeWorkflowIdFor(noticeId)).describe()).status.name).toBe('RUNNING');

    // The desk of the mother's commune sees the draft, prefilled; another commune's does not.
    const drafts = await notices(stack.tokens.clerk);
    expect(drafts.body.notices.find((n: any) => n.noticeId === noticeId)).toMatchObject({ kind: 'BIRTH', status: 'DRAFT', overdue: false, remindersSent: 0, who: 'Trần Thị Bích' });
    const draft = await getJson(`${stack.apiUrl}/v1/notices/${noticeId}`, stack.tokens.clerk);
    expect(draft.body.prefill).toMatchObject({ group: 'BIRTH', child: { sex: 'FEMALE', dateOfBirth: notice.child.dateOfBirth }, birthCertificate: { number: notice.noticeNumber } });
    expect((await getJson(`${stack.apiUrl}/v1/notices/${noticeId}`, stack.tokens.otherProvinceOfficer)).status).toBe(403);

    // The family's answers complete the prefill; a certified fact changed at the desk is refused on its field.
    const intake = birthIntake({
      ...draft.body.prefill,
      child: { ...birthIntake().child, ...draft.body.prefill.child },
      mother: { ...birthIntake().mother, ...draft.body.prefill.mother },
      contact: { channel: 'SMS', phone: '0912000111' },
    });
    const confirm = (body: unknown) => postJson(`${stack.apiUrl}/v1/notices/${noticeId}/confirmation`, body, stack.tokens.clerk);
    const altered = await confirm({ ...intake, child: { ...intake.child, dateOfBirth: bornDaysAgo(4) } });
    expect(altered.status).toBe(422);
    expect(altered.body.errors).toEqual([{ field: 'body.child.dateOfBirth', reason: "differs from the facility's notice" }]);
    expect(await stack.db.dossier.count({ where: { dossierNumber: intake.dossierNumber } })).toBe(0);

    const confirmed = await confirm(intake);
    expect(confirmed.status).toBe(201);
    // A repeat answers as the first time; a second dossier number for the same notice is refused, and never written.
    expect((await confirm(intake)).status).toBe(200);
    const other = birthIntake({ ...intake, dossierNumber: `${intake.dossierNumber}-B` });
    expect((await confirm(other)).status).toBe(409);
    expect(await stack.db.dossier.count({ where: { dossierNumber: other.dossierNumber } })).toBe(0);

    expect((await stack.untilEnded(intake.dossierNumber)).status).toBe('COMPLETED');
    const result = await stack.temporal.workflow.getHandle(noticeWorkflowIdFor(noticeId)).result();
    expect(result).toEqual({ status: 'CONFIRMED', late: false });
    const linked = await notices(stack.tokens.clerk, '?status=CONFIRMED');
    expect(linked.body.notices.find((n: any) => n.noticeId === noticeId)).toMatchObject({ status: 'CONFIRMED', dossierNumber: intake.dossierNumber });
    // The family was told of each step and of the end, once each, by SMS to the contact they gave at the desk.
    const told = await eventually(async () => {
      const messages = await gatewayMessages(stack.simulatorUrl, intake.dossierNumber);
      return messages.length === 5 ? messages : undefined;
    });
    expect(told.every((m) => m.channel === 'SMS' && m.to === '0912000111' && m.calls === 1)).toBe(true);
  }, 120_000);

  it('a death notice becomes a death group the same way; an old notice is overdue for supervisors at once', async () => {
    const intake = deathIntake();
    const notice = {
      kind: 'DEATH',
      noticeNumber: `BT-${randomUUID().slice(0, 12)}`,
      facility: { code: '79024', name: 'Bệnh viện Từ Dũ' },
      deceased: { ...intake.deceased, dateOfDeath: bornDaysAgo(20), residence: { line: '5 Lê Lợi', communeCode: '26743', provinceCode: '79' } },
      informantPhone: '0909123456',
    };
    const sent = await postJson(`${stack.apiUrl}/v1/notices`, notice, stack.tokens.hospital);
    expect(sent.status).toBe(201);
    // Twenty days after the death, past the 15-day limit: no reminder left, overdue at once.
    const overdue = await notices(stack.tokens.provinceSupervisor, '?overdue=true');
    expect(overdue.body.notices.map((n: any) => n.noticeId)).toContain(sent.body.noticeId);
    await eventually(async () => ((await stack.db.lifeEventNotice.findUniqueOrThrow({ where: { id: sent.body.noticeId } })).overdueAt ? true : undefined));
    // The informant is told by SMS that the limit has passed and the registration is still taken.
    const [overdueSms] = await eventually(async () => {
      const messages = await gatewayMessages(stack.simulatorUrl, notice.noticeNumber);
      return messages.length ? messages : undefined;
    });
    expect(overdueSms).toMatchObject({ channel: 'SMS', to: notice.informantPhone, calls: 1 });
    expect(overdueSms!.text).toMatch(new RegExp(`^Giấy báo tử số ${notice.noticeNumber}: đã hết thời hạn đăng ký khai tử \\(hết ngày \\d{2}/\\d{2}/\\d{4}\\)\\. Việc đăng ký vẫn được tiếp nhận`));
    expect((await announcementsOf(sent.body.noticeId)).map((r) => `${r.event}:${r.round}:${r.status}`)).toEqual(['NOTICE_OVERDUE:0:DELIVERED']);

    const { body: draft } = await getJson(`${stack.apiUrl}/v1/notices/${sent.body.noticeId}`, stack.tokens.clerk);
    const confirmed = await postJson(
      `${stack.apiUrl}/v1/notices/${sent.body.noticeId}/confirmation`,
      { ...intake, deceased: { ...intake.deceased, ...draft.prefill.deceased }, deathNotice: draft.prefill.deathNotice },
      stack.tokens.clerk,
    );
    expect(confirmed.status).toBe(201);
    expect(await stack.temporal.workflow.getHandle(noticeWorkflowIdFor(sent.body.noticeId)).result()).toEqual({ status: 'CONFIRMED', late: true });
    expect((await stack.untilEnded(intake.dossierNumber)).status).toBe('COMPLETED');
  }, 120_000);

  it('the same notice sent twice at once is one draft; two desks confirming at once make one dossier', async () => {
    const notice = birthNotice();
    const sent = await Promise.all([1, 2, 3].map(() => postJson(`${stack.apiUrl}/v1/notices`, notice, stack.tokens.hospital)));
    expect(new Set(sent.map((r) => r.body.noticeId)).size).toBe(1);
    expect(sent.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    const noticeId = sent[0]!.body.noticeId as string;
    const { body: draft } = await getJson(`${stack.apiUrl}/v1/notices/${noticeId}`, stack.tokens.clerk);
    const base = birthIntake({ ...draft.prefill, child: { ...birthIntake().child, ...draft.prefill.child }, mother: { ...birthIntake().mother, ...draft.prefill.mother } });
    const numbers = [`${base.dossierNumber}-A`, `${base.dossierNumber}-B`];
    const answers = await Promise.all(numbers.map((dossierNumber) => postJson(`${stack.apiUrl}/v1/notices/${noticeId}/confirmation`, { ...base, dossierNumber }, stack.tokens.clerk)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(await stack.db.dossier.count({ where: { dossierNumber: { in: numbers } } })).toBe(1);
    const winner = numbers[answers.findIndex((a) => a.status === 201)]!;
    expect((await stack.untilEnded(winner)).status).toBe('COMPLETED');
  }, 120_000);

  it("reminds the family by SMS to the notice's phone, once per reminder however often the activity runs; without a phone, nothing is sent", async () => {
    // The workflow's own reminders are weeks away: the activity is run here as its timers would, twice each.
    const { remindFamily } = createNoticeActivities({ db: stack.db, logger: createLogger({ level: 'warn' }) });
    const phone = '0912000111';
    const notice = birthNotice();
    const withPhone = { ...notice, mother: { ...notice.mother, phone } };
    const { body: sent } = await postJson(`${stack.apiUrl}/v1/notices`, withPhone, stack.tokens.hospital);
    const noticeId: string = sent.noticeId;
    for (const reminder of [{ ordinal: 1, daysLeft: 30 }, { ordinal: 2, daysLeft: 7 }]) {
      const runs = await Promise.all([remindFamily({ noticeId, ...reminder }), remindFamily({ noticeId, ...reminder })]);
      expect(runs.map((r) => r.reminded).sort()).toEqual([false, true]);
      expect((await remindFamily({ noticeId, ...reminder })).reminded).toBe(false);
    }
    const rows = await eventually(async () => {
      const found = await announcementsOf(noticeId);
      return found.length === 2 && found.every((r) => r.status === 'DELIVERED') ? found : undefined;
    });
    expect(rows.map((r) => `${r.event}:${r.round}`)).toEqual(['NOTICE_REMINDER:1', 'NOTICE_REMINDER:2']);
    const messages = await gatewayMessages(stack.simulatorUrl, notice.noticeNumber);
    expect(messages.map((m) => [m.idempotencyKey, m.calls]).sort()).toEqual(rows.map((r) => [r.id, 1]).sort());
    expect(messages.every((m) => m.channel === 'SMS' && m.to === phone)).toBe(true);
    // Run now, weeks before the limit: the days left count from the recording, the last day is the limit's.
    const daysLeft = Math.ceil((rows[0]!.dueAt!.getTime() - rows[0]!.recordedAt.getTime()) / 86_400_000);
    expect(messages[0]!.text).toMatch(new RegExp(`^Giấy chứng sinh số ${notice.noticeNumber}: còn ${daysLeft} ngày \\(đến hết ngày \\d{2}/\\d{2}/\\d{4}\\) để đăng ký khai sinh`));
    for (const { title, text } of messages) {
      for (const personal of [notice.mother.fullName, notice.mother.personalIdNumber, phone]) expect(`${title} ${text}`).not.toContain(personal);
    }

    // No phone on the notice: the reminder is recorded, SKIPPED, and nothing reaches the gateway.
    const silent = birthNotice();
    const { body: silentDraft } = await postJson(`${stack.apiUrl}/v1/notices`, silent, stack.tokens.hospital);
    expect((await remindFamily({ noticeId: silentDraft.noticeId, ordinal: 1, daysLeft: 30 })).reminded).toBe(true);
    expect((await announcementsOf(silentDraft.noticeId)).map((r) => `${r.event}:${r.round}:${r.status}:${r.attempts}`)).toEqual(['NOTICE_REMINDER:1:SKIPPED:0']);
    expect(await gatewayMessages(stack.simulatorUrl, silent.noticeNumber)).toEqual([]);

    // Once the family confirmed the draft, a late timer records nothing.
    const { body: draft } = await getJson(`${stack.apiUrl}/v1/notices/${noticeId}`, stack.tokens.clerk);
    const intake = birthIntake({ ...draft.prefill, child: { ...birthIntake().child, ...draft.prefill.child }, mother: { ...birthIntake().mother, ...draft.prefill.mother } });
    expect((await postJson(`${stack.apiUrl}/v1/notices/${noticeId}/confirmation`, intake, stack.tokens.clerk)).status).toBe(201);
    expect((await remindFamily({ noticeId, ordinal: 3, daysLeft: 1 })).reminded).toBe(false);
    expect(await announcementsOf(noticeId)).toHaveLength(2);
    await stack.untilEnded(intake.dossierNumber);

    // A reminder held up by a gateway outage is not sent once the family has confirmed meanwhile.
    const held = { ...birthNotice(), mother: { ...notice.mother, phone } };
    const { body: heldDraft } = await postJson(`${stack.apiUrl}/v1/notices`, held, stack.tokens.hospital);
    await setGatewayFaults(stack.simulatorUrl, { outage: true });
    try {
      await remindFamily({ noticeId: heldDraft.noticeId, ordinal: 1, daysLeft: 30 });
      await eventually(async () => ((await announcementsOf(heldDraft.noticeId))[0]?.attempts ?? 0) >= 1 || undefined);
      const { body: heldPrefill } = await getJson(`${stack.apiUrl}/v1/notices/${heldDraft.noticeId}`, stack.tokens.clerk);
      const heldIntake = birthIntake({ ...heldPrefill.prefill, child: { ...birthIntake().child, ...heldPrefill.prefill.child }, mother: { ...birthIntake().mother, ...heldPrefill.prefill.mother } });
      expect((await postJson(`${stack.apiUrl}/v1/notices/${heldDraft.noticeId}/confirmation`, heldIntake, stack.tokens.clerk)).status).toBe(201);
    } finally {
      await setGatewayFaults(stack.simulatorUrl, { outage: false });
    }
    await eventually(async () => ((await announcementsOf(heldDraft.noticeId))[0]?.status === 'SKIPPED' ? true : undefined));
    expect(await gatewayMessages(stack.simulatorUrl, held.noticeNumber)).toEqual([]);
  }, 120_000);

  it('a confirmation cut off halfway is finished: by confirming again under its number, or by the reconciler once its dossier exists', async () => {
    const draftOf = async () => {
      const { body } = await postJson(`${stack.apiUrl}/v1/notices`, birthNotice(), stack.tokens.hospital);
      const { body: draft } = await getJson(`${stack.apiUrl}/v1/notices/${body.noticeId}`, stack.tokens.clerk);
      const intake = birthIntake({ ...draft.prefill, child: { ...birthIntake().child, ...draft.prefill.child }, mother: { ...birthIntake().mother, ...draft.prefill.mother } });
      return { noticeId: body.noticeId as string, intake };
    };
    const confirm = (noticeId: string, body: unknown) => postJson(`${stack.apiUrl}/v1/notices/${noticeId}/confirmation`, body, stack.tokens.clerk);

    // Cut off after the claim, before the dossier: another number is refused with the one to use; that one finishes it.
    const first = await draftOf();
    await stack.db.lifeEventNotice.update({ where: { id: first.noticeId }, data: { confirmingDossierNumber: first.intake.dossierNumber } });
    const elsewhere = await confirm(first.noticeId, { ...first.intake, dossierNumber: `${first.intake.dossierNumber}-X` });
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.errors[0].reason).toContain(first.intake.dossierNumber);
    expect((await confirm(first.noticeId, first.intake)).status).toBe(201);
    expect((await stack.db.lifeEventNotice.findUniqueOrThrow({ where: { id: first.noticeId } })).status).toBe('CONFIRMED');

    // Cut off after the dossier, before the draft was marked: the reconciler links them and stops the timers.
    const second = await draftOf();
    await stack.db.lifeEventNotice.update({ where: { id: second.noticeId }, data: { confirmingDossierNumber: second.intake.dossierNumber } });
    expect((await postJson(`${stack.apiUrl}/v1/dossiers`, second.intake, stack.tokens.clerk)).status).toBe(201);
    expect(await finishInterruptedConfirmations(stack.db, new Date())).toBeGreaterThanOrEqual(1);
    expect(await stack.db.lifeEventNotice.findUniqueOrThrow({ where: { id: second.noticeId }, include: { dossier: true } })).toMatchObject({
      status: 'CONFIRMED',
      dossier: { dossierNumber: second.intake.dossierNumber },
    });
    expect(await stack.temporal.workflow.getHandle(noticeWorkflowIdFor(second.noticeId)).result()).toEqual({ status: 'CONFIRMED', late: false });
  }, 120_000);

  it('refuses notices from the wrong hands, for the wrong place, or malformed, before anything is written', async () => {
    const notice = birthNotice();
    expect((await postJson(`${stack.apiUrl}/v1/notices`, notice, stack.tokens.clerk)).status).toBe(403);
    const hanoi = birthNotice({ mother: { ...notice.mother, residence: { line: '1 Tràng Tiền', communeCode: '00004', provinceCode: '01' } } });
    expect((await postJson(`${stack.apiUrl}/v1/notices`, hanoi, stack.tokens.hospital)).status).toBe(403);
    // A facility sends its own notices: another facility's code is refused on its field.
    const othersNotice = await postJson(`${stack.apiUrl}/v1/notices`, birthNotice({ facility: { code: '79001', name: 'Bệnh viện Chợ Rẫy' } }), stack.tokens.hospital);
    expect([othersNotice.status, othersNotice.body.errors]).toEqual([403, [{ field: 'body.facility.code', reason: 'is not the facility of the token' }]]);
    const malformed = await postJson(`${stack.apiUrl}/v1/notices`, { ...notice, child: { ...notice.child, dateOfBirth: bornDaysAgo(-400) }, mother: { ...notice.mother, personalIdNumber: '12' } }, stack.tokens.hospital);
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors.map((e: any) => e.field).sort()).toEqual(['body.child.dateOfBirth', 'body.mother.personalIdNumber']);
    expect(await stack.db.lifeEventNotice.count({ where: { noticeNumber: notice.noticeNumber } })).toBe(0);
    // Supervisors read drafts but do not confirm them; agencies do neither.
    expect((await notices(stack.tokens.policeOfficer)).status).toBe(403);
    expect((await postJson(`${stack.apiUrl}/v1/notices/${randomUUID()}/confirmation`, birthIntake(), stack.tokens.provinceSupervisor)).status).toBe(403);
  });
});
