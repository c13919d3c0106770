import { DatePicker, Form, Input, InputNumber } from 'antd';
import { z } from 'zod';
import { stepResultSchemas, undoTaskResultSchema } from '../../../domain/agency-contract';
import type { StepCode } from '../../../domain/procedures';
import { dayjs } from '../format';
import { resultFieldLabel } from '../labels';

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

/** Sensible starting values: today for dates, now for an instant. */
export function resultDefaults(fields: FieldSpec[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((f) => f.kind === 'date' || f.kind === 'instant').map((f) => [f.name, f.kind === 'date' ? dayjs() : new Date().toISOString()]));
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
          {f.kind === 'date' ? <DatePicker format="DD/MM/YYYY" style={{ width: '100%' }} /> : f.kind === 'number' ? <InputNumber min={0} style={{ width: '100%' }} /> : <Input />}
        </Form.Item>
      ))}
    </>
  );
}
