import { intakeSchema } from '../../domain/intake';
import { resultDocument, type ResultsSource } from '../../domain/result-documents';
import { birthIntake } from '../support/fixtures';

/** The receipt's dates (Nghị định 63 Điều 7.2–7.3): the date promised now, and the one promised at receipt once it moved. */
describe('the receipt after an apology or a verification', () => {
  const intake = intakeSchema.parse(birthIntake());
  const receipt = (dates: Pick<ResultsSource, 'dueAt' | 'appointmentAt' | 'originalAppointmentAt'>) =>
    resultDocument(
      'receipt',
      {
        dossierNumber: intake.dossierNumber,
        procedureGroup: 'BIRTH',
        definitionVersion: 1,
        status: 'RUNNING',
        provinceCode: intake.jurisdiction.provinceCode,
        communeCode: intake.jurisdiction.communeCode,
        receivedAt: new Date('2026-12-01T02:00:00Z'),
        completedAt: null,
        intake,
        steps: [{ step: 'BIRTH_REGISTRATION', status: 'RUNNING', result: null, finishedAt: null }],
        ...dates,
      },
      'FULL',
    ).sections.flatMap((s) => s.rows);
  const row = (rows: (readonly [string, string])[], label: string) => rows.find(([l]) => l.startsWith(label))?.[1];

  it('shows only the date promised when nothing moved it', () => {
    const rows = receipt({ dueAt: new Date('2026-12-03T10:00:00Z'), appointmentAt: null, originalAppointmentAt: null });
    expect(row(rows, 'Ngày hẹn trả kết quả')).toBe('03/12/2026');
    expect(row(rows, 'Ngày hẹn ban đầu')).toBeUndefined();
  });

  it('after a verification (deadline moved) then an apology: the apology date now, the date promised at receipt as the original', () => {
    // Received 01/12, due 03/12; a verification moved the deadline to 07/12; an apology then set 10/12.
    const rows = receipt({ dueAt: new Date('2026-12-07T10:00:00Z'), appointmentAt: new Date('2026-12-10T10:00:00Z'), originalAppointmentAt: new Date('2026-12-03T10:00:00Z') });
    expect(row(rows, 'Ngày hẹn trả kết quả')).toBe('10/12/2026');
    expect(row(rows, 'Ngày hẹn ban đầu')).toBe('03/12/2026');
  });

  it('after a verification alone: the extended deadline now, and the original still shown', () => {
    const rows = receipt({ dueAt: new Date('2026-12-07T10:00:00Z'), appointmentAt: null, originalAppointmentAt: new Date('2026-12-03T10:00:00Z') });
    expect(row(rows, 'Ngày hẹn trả kết quả')).toBe('07/12/2026');
    expect(row(rows, 'Ngày hẹn ban đầu')).toBe('03/12/2026');
  });
});
