import { createWorkingCalendar, toVietnamDate, type LocalDate } from '../../domain/working-days';

/**
 * Every expected date here was worked out by hand from the published calendars (weekdays checked
 * against a wall calendar), never computed by the module under test.
 */
const calendar = createWorkingCalendar();

/** An instant given as Vietnam wall-clock time, e.g. vn('2026-03-09T09:00'). */
const vn = (local: string): Date => new Date(`${local}+07:00`);

const expectDays = (dates: LocalDate[], working: boolean, cal = calendar): void => {
  for (const date of dates) expect([date, cal.isWorkingDay(date)]).toEqual([date, working]);
};

describe('weekends', () => {
  it('Monday–Friday work, Saturday and Sunday do not', () => {
    expectDays(['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06'], true);
    expectDays(['2026-03-07', '2026-03-08'], false);
  });

  it('steps over the weekend', () => {
    expect(calendar.nextWorkingDay('2026-03-06')).toBe('2026-03-09'); // Fri → Mon
    expect(calendar.nextWorkingDay('2026-03-07')).toBe('2026-03-09'); // Sat → Mon
    expect(calendar.addWorkingDays('2026-03-02', 10)).toBe('2026-03-16'); // two whole weeks from Mon
    expect(calendar.addWorkingDays('2026-03-07', 0)).toBe('2026-03-07');
    expect(calendar.addWorkingDays('2026-03-07', 1)).toBe('2026-03-09');
  });
});

describe('the deadline convention', () => {
  it('received Monday 09:00 with 3 working days: due Wednesday 17:00 Vietnam time', () => {
    const due = calendar.dueAt(vn('2026-03-09T09:00'), 3);
    expect(due.toISOString()).toBe('2026-03-11T10:00:00.000Z');
  });

  it('received Monday 16:00: counting starts Tuesday, due Thursday 17:00', () => {
    expect(calendar.countingStart(vn('2026-03-09T16:00'))).toBe('2026-03-10');
    expect(calendar.dueAt(vn('2026-03-09T16:00'), 3)).toEqual(vn('2026-03-12T17:00'));
  });

  it('"same working day" is 1 working day', () => {
    expect(calendar.dueAt(vn('2026-03-09T14:00'), 1)).toEqual(vn('2026-03-09T17:00'));
  });

  it('cut-off at 15:00: 14:59 counts the same day, 15:00 and 16:00 the next', () => {
    expect(calendar.countingStart(vn('2026-03-09T14:59'))).toBe('2026-03-09');
    expect(calendar.countingStart(vn('2026-03-09T14:59:59.999'))).toBe('2026-03-09');
    expect(calendar.countingStart(vn('2026-03-09T15:00'))).toBe('2026-03-10');
    expect(calendar.countingStart(vn('2026-03-09T16:00'))).toBe('2026-03-10');
    expect(calendar.dueAt(vn('2026-03-09T14:59'), 3)).toEqual(vn('2026-03-11T17:00'));
    expect(calendar.dueAt(vn('2026-03-09T15:00'), 3)).toEqual(vn('2026-03-12T17:00'));
  });

  it('reads the Vietnam wall clock whatever offset the instant was written in', () => {
    expect(calendar.countingStart(new Date('2026-03-08T17:30:00Z'))).toBe('2026-03-09'); // Mon 00:30 in Vietnam
    expect(calendar.countingStart(new Date('2026-03-09T07:59:00Z'))).toBe('2026-03-09'); // 14:59
    expect(calendar.countingStart(new Date('2026-03-09T08:00:00Z'))).toBe('2026-03-10'); // 15:00
    expect(toVietnamDate(new Date('2026-03-08T17:00:00Z'))).toBe('2026-03-09');
  });

  it('received on a Saturday: counting starts Monday', () => {
    expect(calendar.countingStart(vn('2026-03-07T10:00'))).toBe('2026-03-09');
    expect(calendar.dueAt(vn('2026-03-07T10:00'), 3)).toEqual(vn('2026-03-11T17:00'));
  });

  it('received on a public holiday morning: counting starts at the next working day', () => {
    // Thu 30/4/2026 and Fri 1/5/2026 are holidays.
    expect(calendar.countingStart(vn('2026-04-30T09:00'))).toBe('2026-05-04');
    expect(calendar.dueAt(vn('2026-04-30T09:00'), 1)).toEqual(vn('2026-05-04T17:00'));
  });

  it('the cut-off and the end of office hours are options', () => {
    const late = createWorkingCalendar({ cutoffHour: 16, endOfDayHour: 16.5 });
    expect(late.countingStart(vn('2026-03-09T15:30'))).toBe('2026-03-09');
    expect(late.countingStart(vn('2026-03-09T16:00'))).toBe('2026-03-10');
    expect(late.dueAt(vn('2026-03-09T15:30'), 3)).toEqual(vn('2026-03-11T16:30'));
  });
});

describe('Tết Nguyên Đán', () => {
  it('2026 (Bính Ngọ): the whole announced break Sat 14/2 – Sun 22/2 is off', () => {
    expectDays(['2026-02-14', '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22'], false);
    expectDays(['2026-02-13', '2026-02-23'], true);
    expect(calendar.nextWorkingDay('2026-02-13')).toBe('2026-02-23');
  });

  it('2026: a deadline spanning the break', () => {
    // Thu 12/2 is day 1, Fri 13/2 day 2, then the break, Mon 23/2 day 3.
    expect(calendar.dueAt(vn('2026-02-12T09:00'), 3)).toEqual(vn('2026-02-23T17:00'));
    // Fri 13/2 after the cut-off: day 1 is Mon 23/2.
    expect(calendar.dueAt(vn('2026-02-13T16:00'), 3)).toEqual(vn('2026-02-25T17:00'));
    // Received online on mùng 1 (Tue 17/2).
    expect(calendar.countingStart(vn('2026-02-17T10:00'))).toBe('2026-02-23');
  });

  it('2025 (Ất Tỵ): Mon 27/1 is off by the announcement, though date-holidays starts Tết on Tue 28/1', () => {
    expectDays(['2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31'], false);
    expectDays(['2025-01-24', '2025-02-03'], true);
    // Fri 24/1 day 1, Mon 3/2 day 2, Tue 4/2 day 3.
    expect(calendar.dueAt(vn('2025-01-24T10:00'), 3)).toEqual(vn('2025-02-04T17:00'));
  });

  it('2027, not yet announced: the 5-day block of date-holidays from giao thừa (Fri 5/2 – Tue 9/2)', () => {
    expectDays(['2027-02-05', '2027-02-08', '2027-02-09'], false);
    expectDays(['2027-02-04', '2027-02-10'], true);
  });
});

describe('Giỗ tổ Hùng Vương (10/3 lunar)', () => {
  it('2025: Monday 7/4', () => {
    expectDays(['2025-04-07'], false);
    // Fri 4/4 day 1, Tue 8/4 day 2.
    expect(calendar.dueAt(vn('2025-04-04T10:00'), 2)).toEqual(vn('2025-04-08T17:00'));
  });

  it('2026: Sunday 26/4, so Monday 27/4 is the compensatory day off', () => {
    expectDays(['2026-04-26', '2026-04-27'], false);
    // Fri 24/4 day 1, Tue 28/4 day 2, Wed 29/4 day 3, then 30/4 and 1/5, Mon 4/5 day 4.
    expect(calendar.dueAt(vn('2026-04-24T10:00'), 3)).toEqual(vn('2026-04-29T17:00'));
    expect(calendar.dueAt(vn('2026-04-24T10:00'), 4)).toEqual(vn('2026-05-04T17:00'));
  });

  it('2027: Friday 16/4', () => {
    expectDays(['2027-04-16'], false);
    expectDays(['2027-04-15'], true);
  });
});

describe('30/4 and 1/5', () => {
  it('2025: Wed 30/4, Thu 1/5 and the announced bridge day Fri 2/5 are off', () => {
    expectDays(['2025-04-30', '2025-05-01', '2025-05-02'], false);
    // Tue 29/4 day 1, Mon 5/5 day 2.
    expect(calendar.dueAt(vn('2025-04-29T10:00'), 2)).toEqual(vn('2025-05-05T17:00'));
  });

  it('2025: the make-up Saturday 26/4 is a working day and counts', () => {
    expectDays(['2025-04-26'], true);
    expectDays(['2025-04-27'], false);
    expect(calendar.countingStart(vn('2025-04-26T09:00'))).toBe('2025-04-26');
    expect(calendar.countingStart(vn('2025-04-25T16:00'))).toBe('2025-04-26');
    // Sat 26/4 day 1, Mon 28/4 day 2, Tue 29/4 day 3.
    expect(calendar.dueAt(vn('2025-04-26T09:00'), 3)).toEqual(vn('2025-04-29T17:00'));
  });

  it('2026: Thu 30/4 and Fri 1/5', () => {
    expectDays(['2026-04-30', '2026-05-01'], false);
    expectDays(['2026-04-29', '2026-05-04'], true);
  });
});

describe('Quốc khánh 2/9 and the day next to it', () => {
  it('2025: Mon 1/9 and Tue 2/9', () => {
    expectDays(['2025-09-01', '2025-09-02'], false);
    // Fri 29/8 day 1, Wed 3/9 day 2.
    expect(calendar.dueAt(vn('2025-08-29T10:00'), 2)).toEqual(vn('2025-09-03T17:00'));
  });

  it('2026: bridge day Mon 31/8, Tue 1/9, Wed 2/9 off; Saturday 22/8 worked', () => {
    expectDays(['2026-08-31', '2026-09-01', '2026-09-02'], false);
    expectDays(['2026-08-22'], true);
    // Fri 28/8 day 1, Thu 3/9 day 2.
    expect(calendar.dueAt(vn('2026-08-28T10:00'), 2)).toEqual(vn('2026-09-03T17:00'));
  });

  it('2027: 2/9 itself comes from date-holidays', () => {
    expectDays(['2027-09-02'], false);
  });
});

describe('Tết Dương lịch', () => {
  it('2026: Thu 1/1 and the announced extra day off Fri 2/1; Saturday 10/1 worked', () => {
    expectDays(['2026-01-01', '2026-01-02'], false);
    expectDays(['2026-01-10'], true);
    // Wed 31/12/2025 after the cut-off: day 1 is Mon 5/1/2026.
    expect(calendar.countingStart(vn('2025-12-31T15:30'))).toBe('2026-01-05');
  });

  it('2027: Fri 1/1 from date-holidays', () => {
    expectDays(['2027-01-01'], false);
  });
});

describe('overrides given by configuration', () => {
  // A made-up announcement for a year the data file does not hold yet.
  const announcement2027 = [
    { from: '2027-02-03', to: '2027-02-11', kind: 'DAY_OFF', note: 'Tết Đinh Mùi (test)' },
    { from: '2027-05-03', kind: 'DAY_OFF', note: '1/5 falls on a Saturday: compensatory day (test)' },
    { from: '2027-05-08', kind: 'WORKING_DAY', note: 'make-up Saturday (test)' },
  ] as const;
  const configured = createWorkingCalendar({ overrides: announcement2027 });

  it('adds a new year without a code change', () => {
    expectDays(['2027-02-03', '2027-02-04', '2027-02-10', '2027-02-11', '2027-05-03'], false, configured);
    expectDays(['2027-02-12', '2027-05-08'], true, configured);
    // Thu 29/4 day 1, then 30/4, the weekend and the compensatory Mon 3/5: Tue 4/5 day 2.
    expect(configured.dueAt(vn('2027-04-29T10:00'), 2)).toEqual(vn('2027-05-04T17:00'));
  });

  it('leaves other calendars alone', () => {
    expectDays(['2027-02-03', '2027-05-03'], true);
    expectDays(['2027-05-08'], false);
    expect(calendar.dueAt(vn('2027-04-29T10:00'), 2)).toEqual(vn('2027-05-03T17:00'));
  });

  it('wins over the announced table', () => {
    const cancelled = createWorkingCalendar({ overrides: [{ from: '2026-01-10', kind: 'DAY_OFF', note: 'make-up Saturday cancelled (test)' }] });
    expectDays(['2026-01-10'], false, cancelled);
  });

  it('rejects a malformed or contradictory table', () => {
    expect(() => createWorkingCalendar({ overrides: [{ from: '2027-02-30', kind: 'DAY_OFF', note: 'x' }] })).toThrow();
    expect(() => createWorkingCalendar({ overrides: [{ from: '2027-02-10', to: '2027-02-01', kind: 'DAY_OFF', note: 'x' }] })).toThrow();
    expect(() =>
      createWorkingCalendar({
        overrides: [
          { from: '2027-02-01', to: '2027-02-05', kind: 'DAY_OFF', note: 'x' },
          { from: '2027-02-05', kind: 'WORKING_DAY', note: 'y' },
        ],
      }),
    ).toThrow(/2027-02-05/);
  });
});

describe('workingDaysBetween (overdue reports)', () => {
  it('counts whole working days after the due date', () => {
    expect(calendar.workingDaysBetween(vn('2026-03-11T17:00'), vn('2026-03-12T09:00'))).toBe(1);
    expect(calendar.workingDaysBetween(vn('2026-03-11T17:00'), vn('2026-03-11T18:00'))).toBe(0);
    // Done on Saturday 14/3: Thu 12/3 and Fri 13/3.
    expect(calendar.workingDaysBetween(vn('2026-03-11T17:00'), vn('2026-03-14T10:00'))).toBe(2);
  });

  it('skips Tết, compensatory days and holidays, and counts make-up Saturdays', () => {
    expect(calendar.workingDaysBetween(vn('2026-02-13T17:00'), vn('2026-02-23T10:00'))).toBe(1);
    // Tue 28/4, Wed 29/4, Mon 4/5.
    expect(calendar.workingDaysBetween(vn('2026-04-24T17:00'), vn('2026-05-04T08:00'))).toBe(3);
    // Sat 26/4/2025 (make-up) and Mon 28/4.
    expect(calendar.workingDaysBetween(vn('2025-04-25T17:00'), vn('2025-04-28T09:00'))).toBe(2);
  });

  it('is negative before the deadline (working days left)', () => {
    expect(calendar.workingDaysBetween(vn('2026-05-04T08:00'), vn('2026-04-24T17:00'))).toBe(-3);
  });
});

describe('input checks', () => {
  it('rejects malformed dates, counts, instants and hours', () => {
    expect(() => calendar.isWorkingDay('2026-02-30')).toThrow(RangeError);
    expect(() => calendar.isWorkingDay('2026-2-3')).toThrow(RangeError);
    expect(() => calendar.nextWorkingDay('abcd-01-01')).toThrow(RangeError);
    expect(() => calendar.addWorkingDays('2026-03-09', -1)).toThrow(RangeError);
    expect(() => calendar.dueAt(vn('2026-03-09T09:00'), 0)).toThrow(RangeError);
    expect(() => calendar.dueAt(vn('2026-03-09T09:00'), 1.5)).toThrow(RangeError);
    expect(() => calendar.countingStart(new Date('not a date'))).toThrow(RangeError);
    expect(() => createWorkingCalendar({ cutoffHour: 25 })).toThrow(RangeError);
  });
});

describe('performance', () => {
  it('answers 1,000,000 isWorkingDay calls cheaply', () => {
    const dates: string[] = [];
    for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2028, 0, 1); t += 86_400_000) dates.push(new Date(t).toISOString().slice(0, 10));
    const fresh = createWorkingCalendar();
    const started = performance.now();
    let working = 0;
    for (let i = 0; i < 1_000_000; i++) if (fresh.isWorkingDay(dates[i % dates.length]!)) working++;
    const elapsed = performance.now() - started;
    expect(working).toBeGreaterThan(600_000);
    expect(elapsed).toBeLessThan(1_000);
  });
});

describe('working-day calendar bounds (no input may make it loop)', () => {
  const calendar = createWorkingCalendar();
  it('refuses dates outside 1900–2199, spans over a decade and counts over 2,000 at once', () => {
    expect(() => calendar.dueAt(new Date('0001-01-01T00:00:00Z'), 3)).toThrow(RangeError);
    expect(() => calendar.workingDaysBetween(new Date('1901-01-01T00:00:00Z'), new Date('2190-01-01T00:00:00Z'))).toThrow(/more than 3660 days/);
    expect(() => calendar.addWorkingDays('2026-01-05', 100_000)).toThrow(/at most 2000/);
    expect(calendar.workingDaysBetween(new Date('2026-01-05T02:00:00Z'), new Date('2026-01-09T02:00:00Z'))).toBe(4);
  });
});
