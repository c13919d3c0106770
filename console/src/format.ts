import dayjs from 'dayjs';
import 'dayjs/locale/vi';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.locale('vi');

/** Every time is shown as a Vietnamese desk reads it: Vietnam time, day first. */
export const vietnamZone = 'Asia/Ho_Chi_Minh';

export function dateTime(iso: string | null | undefined): string {
  return iso ? dayjs(iso).tz(vietnamZone).format('DD/MM/YYYY HH:mm') : '—';
}

export function date(iso: string | null | undefined): string {
  if (!iso) return '—';
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? dayjs(iso).format('DD/MM/YYYY') : dayjs(iso).tz(vietnamZone).format('DD/MM/YYYY');
}

/** "còn 2 ngày làm việc", "đến hạn hôm nay", "quá hạn 3 ngày làm việc". */
export function workingDaysText(left: number | null | undefined, overdue: boolean): string | null {
  if (left === null || left === undefined) return null;
  if (overdue) return left < 0 ? `quá hạn ${-left} ngày làm việc` : 'quá hạn (hôm nay)';
  if (left === 0) return 'đến hạn hôm nay';
  return `còn ${left} ngày làm việc`;
}

export { dayjs };
