import { contactSchema, intakeSchema, notificationRecipient } from '../../domain/intake';
import { maskedAddress } from '../../domain/notification-contract';
import { refusalCategory, renderAnnouncement, type Announcement } from '../../domain/notification-templates';
import { birthIntake } from '../support/fixtures';

const base = { dossierNumber: 'H79.26743-000123', group: 'BIRTH' } as const;

describe('announcement templates', () => {
  it('tells a completed step by its Vietnamese name and the dossier code', () => {
    const { title, text } = renderAnnouncement({ ...base, event: 'STEP_COMPLETED', step: 'PERSONAL_ID' });
    expect(title).toBe('Hồ sơ H79.26743-000123: Cấp số định danh cá nhân đã hoàn thành');
    expect(text).toContain('Thủ tục "Cấp số định danh cá nhân" của hồ sơ H79.26743-000123 đã được giải quyết xong.');
  });

  it('tells a refusal by a generic category, never the agency text', () => {
    const { text } = renderAnnouncement({ ...base, event: 'STEP_REFUSED', step: 'PERMANENT_RESIDENCE', code: 'HOUSEHOLD_CONSENT_MISSING' });
    expect(text).toContain('Thủ tục "Đăng ký thường trú" của hồ sơ H79.26743-000123 không được giải quyết.');
    expect(text).toContain('Lý do: hồ sơ còn thiếu giấy tờ hoặc ý kiến đồng ý cần thiết.');
    expect(text).toContain('vẫn giữ nguyên giá trị');
  });

  it.each([
    ['DATA_MISMATCH', 'DATA'],
    ['NOT_UNDER_SIX', 'ELIGIBILITY'],
    ['SUPPLEMENT_NOT_PROVIDED', 'SUPPLEMENT_NOT_PROVIDED'],
    ['AN_OFFICER_CODE', 'OTHER'],
    [null, 'OTHER'],
  ])('refusal code %s is told as %s', (code, category) => {
    expect(refusalCategory(code)).toBe(category);
  });

  it('gives the supplement deadline as a Vietnamese date (UTC+7)', () => {
    // 17:30 UTC on 10 December is already 11 December in Vietnam.
    const { text } = renderAnnouncement({ ...base, event: 'SUPPLEMENT_REQUESTED', step: 'BIRTH_REGISTRATION', dueAt: new Date('2026-12-10T17:30:00Z') });
    expect(text).toBe(
      'Hồ sơ H79.26743-000123 cần bổ sung giấy tờ cho thủ tục "Đăng ký khai sinh". Vui lòng bổ sung tại bộ phận một cửa trước ngày 11/12/2026; quá hạn, thủ tục sẽ không được giải quyết.',
    );
  });

  it.each(['REFUSED', 'WITHDRAWN', 'CANCELLED'])('tells a group ending %s', (code) => {
    const { text } = renderAnnouncement({ ...base, group: 'DEATH', event: 'GROUP_ENDED', code });
    expect(text).toMatch(/^Hồ sơ liên thông khai tử H79\.26743-000123 .+\. Tra cứu bằng mã hồ sơ/);
  });

  it.each(['COMPLETED', 'PARTIALLY_COMPLETED'])('tells a group ending %s that its electronic results wait on the lookup page, by number and code', (code) => {
    const { text } = renderAnnouncement({ ...base, group: 'DEATH', event: 'GROUP_ENDED', code });
    expect(text).toMatch(/^Hồ sơ liên thông khai tử H79\.26743-000123 .+\. Kết quả điện tử đã có: tải về tại trang tra cứu hồ sơ bằng số hồ sơ và mã tra cứu/);
  });

  it("reminds a notice's family of the days left and the last day, by the notice's number alone", () => {
    // A birth on 1 December: the limit is the end of 30 January (Vietnam time); reminded 7 days before.
    const limitAt = new Date('2027-01-30T17:00:00Z');
    const reminder = renderAnnouncement({ event: 'NOTICE_REMINDER', kind: 'BIRTH', noticeNumber: 'CS-0042', limitAt, recordedAt: new Date(limitAt.getTime() - 7 * 86_400_000 + 5_000) });
    expect(reminder.title).toBe('Giấy chứng sinh số CS-0042: còn 7 ngày để đăng ký khai sinh');
    expect(reminder.text).toMatch(/^Giấy chứng sinh số CS-0042: còn 7 ngày \(đến hết ngày 30\/01\/2027\) để đăng ký khai sinh tại bộ phận một cửa UBND cấp xã/);
    const overdue = renderAnnouncement({ event: 'NOTICE_OVERDUE', kind: 'DEATH', noticeNumber: 'BT-7', limitAt, recordedAt: limitAt });
    expect(overdue.text).toMatch(/^Giấy báo tử số BT-7: đã hết thời hạn đăng ký khai tử \(hết ngày 30\/01\/2027\)\. Việc đăng ký vẫn được tiếp nhận/);
  });

  it('shows staff an address masked, never in full', () => {
    expect(maskedAddress('SMS', '0912345678')).toBe('••••5678');
    expect(maskedAddress('EMAIL', 'me@example.vn')).toBe('m•••@example.vn');
    expect(maskedAddress('VNEID', '079195001234')).toBe('••••1234');
  });

  it('is pure, short enough for a few SMS parts, and carries no personal data of the intake', () => {
    const intake = birthIntake();
    const announcements: Announcement[] = [
      { ...base, event: 'STEP_COMPLETED', step: 'CHILD_HEALTH_INSURANCE' },
      { ...base, event: 'STEP_REFUSED', step: 'BIRTH_REGISTRATION', code: 'DATA_MISMATCH' },
      { ...base, event: 'SUPPLEMENT_REQUESTED', step: 'PERSONAL_ID', dueAt: new Date() },
      { ...base, event: 'GROUP_ENDED', code: 'PARTIALLY_COMPLETED' },
    ];
    for (const announcement of announcements) {
      const rendered = renderAnnouncement(announcement);
      expect(renderAnnouncement(announcement)).toEqual(rendered);
      expect(rendered.text.length).toBeLessThanOrEqual(300);
      for (const personal of [intake.child.fullName, intake.mother!.fullName, intake.father!.fullName, intake.mother!.personalIdNumber, intake.father!.personalIdNumber]) {
        expect(`${rendered.title} ${rendered.text}`).not.toContain(personal);
      }
      expect(rendered.text).not.toMatch(/\d{12}/);
    }
  });

  it('refuses to render what it cannot say', () => {
    expect(() => renderAnnouncement({ ...base, event: 'STEP_COMPLETED' })).toThrow('needs a step');
    expect(() => renderAnnouncement({ ...base, event: 'GROUP_ENDED', code: 'IN_PROGRESS' })).toThrow('no announcement');
  });
});

describe('the intake contact', () => {
  it('is optional: intakes without it stay valid', () => {
    expect(intakeSchema.safeParse(birthIntake()).success).toBe(true);
  });

  it.each([
    [{ phone: '0912345678' }, { channel: 'SMS', address: '0912345678' }],
    [{ email: 'me@example.vn' }, { channel: 'EMAIL', address: 'me@example.vn' }],
    [{ phone: '0912345678', email: 'me@example.vn', channel: 'EMAIL' }, { channel: 'EMAIL', address: 'me@example.vn' }],
    [{ channel: 'VNEID' }, { channel: 'VNEID', address: '079195001234' }],
  ])('%j is sent as %j', (contact, recipient) => {
    expect(notificationRecipient(contactSchema.parse(contact), '079195001234')).toEqual(recipient);
  });

  it.each([
    [{}, 'phone'],
    [{ channel: 'SMS', email: 'me@example.vn' }, 'phone'],
    [{ channel: 'EMAIL', phone: '0912345678' }, 'email'],
    [{ email: 'not an address' }, 'email'],
    [{ phone: '12' }, 'phone'],
  ])('refuses %j on %s', (contact, field) => {
    const parsed = intakeSchema.safeParse(birthIntake({ contact: contact as never }));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toContain(`contact.${field}`);
  });
});
