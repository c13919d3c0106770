import type { FormInstance } from 'antd';
import { dayjs } from '../format';
import { reasonInVietnamese } from '../labels';
import type { FieldError } from '../api';

const isEmpty = (value: unknown) =>
  value === undefined || value === null || value === '' || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);

/**
 * From the form's values to the intake the API takes: dates as YYYY-MM-DD, empty optional fields left
 * out, the form's own switches (keys starting with `_`) dropped. A group of fields left all empty (the
 * citizen's contact) is left out too: an empty object would be an intake asking for announcements
 * without saying where.
 */
export function toIntake(values: unknown): unknown {
  if (dayjs.isDayjs(values)) return values.format('YYYY-MM-DD');
  if (Array.isArray(values)) return values.map(toIntake);
  if (values && typeof values === 'object') {
    const entries = Object.entries(values)
      .filter(([key]) => !key.startsWith('_'))
      .map(([key, value]) => [key, toIntake(value)] as const)
      .filter(([, value]) => !isEmpty(value));
    return Object.fromEntries(entries);
  }
  return typeof values === 'string' ? values.trim() : values;
}

/**
 * Where the family is told: the contact as given, its phone the requester's when left empty. With no
 * channel chosen the intake's rule sends SMS to a phone, else email; with neither, nothing is sent.
 */
export function withContactDefaults(values: Record<string, unknown>): Record<string, unknown> {
  const contact = (values.contact ?? {}) as { phone?: string };
  const requesterPhone = (values.requester as { phone?: string } | undefined)?.phone?.trim();
  if (contact.phone?.trim() || !requesterPhone) return values;
  return { ...values, contact: { ...contact, phone: requesterPhone } };
}

/** The other way, for a prefilled form: ISO dates become the date pickers' values, objects merge into the defaults. */
export function toFormValues(defaults: Record<string, unknown>, values: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(values)) {
    const base = defaults[key];
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) merged[key] = dayjs(value);
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      merged[key] = toFormValues(base && typeof base === 'object' ? (base as Record<string, unknown>) : {}, value as Record<string, unknown>);
    } else merged[key] = value;
  }
  return merged;
}

export interface Issue {
  path: (string | number)[];
  message: string;
}

/** The API's `body.child.fullName` as the form's path. */
export function issuesFromProblem(errors: FieldError[]): Issue[] {
  return errors.map((e) => ({ path: e.field.split('.').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: e.reason }));
}

/**
 * Puts each issue on its field, in Vietnamese. Returns the issues no field shows (a rule across fields
 * such as "the mother or the father"), for the form's summary.
 */
export function showIssues(form: FormInstance, issues: Issue[]): string[] {
  const shown = new Set<string>();
  const registered = new Set(form.getFieldsError().map((f) => JSON.stringify(f.name)));
  const fields = issues
    .filter((i) => registered.has(JSON.stringify(i.path)))
    .map((i) => {
      shown.add(JSON.stringify(i.path));
      return { name: i.path, errors: [reasonInVietnamese(i.message)] };
    });
  form.setFields(fields);
  if (fields[0]) form.scrollToField(fields[0].name, { block: 'center', focus: true });
  return issues.filter((i) => !shown.has(JSON.stringify(i.path))).map((i) => `${i.path.join('.') || 'hồ sơ'}: ${reasonInVietnamese(i.message)}`);
}
