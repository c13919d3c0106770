import { Form, Input, InputNumber } from 'antd';
import { z } from 'zod';
import { stepResultSchemas, undoTaskResultSchema } from '../../../domain/agency-contract';
import { childCardValidUntil, parseIsoDate } from '../../../domain/age';
import type { StepCode } from '../../../domain/procedures';
import { dayjs } from '../format';
import { resultFieldLabel } from '../labels';
import { DateInput } from './fields';

/**
 * The completion form of a step, built from the same result schema the API checks: a field per
 * property, a date picker where the schema wants a date, a number box where it wants a number.
 */
interface FieldSpec {
  name: string;
  kind: 'date' | 'number' | 'text' | 'instant';
  pattern?: string;
}

type JsonSchema = { properties?: Record<string, { type?: string; pattern?: string; format?: string }> };
const datePattern = '^\\d{4}-\\d{2}-\\d{2}$';

export function resultFields(step: StepCode, kind: 'ACT' | 'UNDO'): FieldSpec[] {
  const schema = z.toJSONSchema(kind === 'UNDO' ? undoTaskResultSchema : stepResultSchemas[step], { io: 'input' }) as JsonSchema;
  return Object.entries(schema.properties ?? {}).map(([name, p]) => ({
    name,
    kind: p.type === 'number' || p.type === 'integer' ? 'number' : p.pattern === datePattern ? 'date' : name === 'issuedAt' ? 'instant' : 'text',
    ...(p.pattern && p.pattern !== datePattern ? { pattern: p.pattern } : {}),
  }));
}

/**
 * Starting values only where the answer is known: the day of the act is today, an instant is now, and
 * the child's card is valid until the day the law gives for its birth date (Luật BHYT Điều 16, the
 * domain's rule). A date nobody can know beforehand is left for the officer.
 */
export function resultDefaults(fields: FieldSpec[], input: unknown): Record<string, unknown> {
  const born = (input as { dateOfBirth?: unknown } | null)?.dateOfBirth;
  const known: Record<string, () => unknown> = {
    validUntil: () => (typeof born === 'string' ? dayjs(childCardValidUntil(parseIsoDate(born))) : undefined),
  };
  return Object.fromEntries(
    fields
      .filter((f) => f.kind === 'date' || f.kind === 'instant')
      .map((f) => [f.name, known[f.name] ? known[f.name]!() : f.kind === 'date' ? dayjs() : new Date().toISOString()] as const)
      .filter(([, value]) => value !== undefined),
  );
}

/** From the form back to the result the API takes. */
export function resultValue(fields: FieldSpec[], values: Record<string, unknown>): Record<string, unknown> {
  const value = (v: unknown) => (dayjs.isDayjs(v) ? v.format('YYYY-MM-DD') : typeof v === 'string' ? v.trim() : v);
  return Object.fromEntries(fields.map((f) => [f.name, value(values[f.name])]));
}

export function ResultFields({ fields }: { fields: FieldSpec[] }) {
  return (
    <>
      {fields.map((f) => (
        <Form.Item
          key={f.name}
          name={f.name}
          label={resultFieldLabel[f.name] ?? f.name}
          rules={[{ required: true, message: 'Bắt buộc' }, ...(f.pattern ? [{ pattern: new RegExp(f.pattern), message: 'Sai định dạng' }] : [])]}
        >
          {f.kind === 'date' ? <DateInput /> : f.kind === 'number' ? <InputNumber min={0} style={{ width: '100%' }} /> : <Input />}
        </Form.Item>
      ))}
    </>
  );
}
