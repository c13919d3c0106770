import { Checkbox, Col, DatePicker, Form, Input, Radio, Row, Select, type DatePickerProps } from 'antd';
import type { NamePath } from 'antd/es/form/interface';
import { provinces } from '../../../domain/jurisdiction';
import { relationshipLabel } from '../labels';
import { clearable } from '../controls';
import { communeOptions, foldedFilter } from '../places';

/** Form pieces shared by the birth and death intakes; names are the intake schema's paths. */
type Path = (string | number)[];
const at = (base: Path, ...rest: Path) => [...base, ...rest];
const provinceOptions = provinces.map((p) => ({ value: p.code, label: p.name }));
const required = [{ required: true, message: 'Bắt buộc' }];

export function TextField({ name, label, requiredField = true, placeholder, maxLength = 300 }: { name: NamePath; label: string; requiredField?: boolean; placeholder?: string; maxLength?: number }) {
  return (
    <Form.Item name={name} label={label} rules={requiredField ? required : []}>
      <Input placeholder={placeholder} maxLength={maxLength} />
    </Form.Item>
  );
}

/**
 * A date typed as dd/mm/yyyy. Focusing it selects what it holds, so typing a date replaces a prefilled
 * one instead of being appended to it.
 */
export function DateInput(props: DatePickerProps) {
  return (
    <DatePicker
      format="DD/MM/YYYY"
      placeholder="dd/mm/yyyy"
      style={{ width: '100%' }}
      onFocus={(event) => (event.target as HTMLInputElement).select?.()}
      {...props}
    />
  );
}

export function DateField({ name, label }: { name: NamePath; label: string }) {
  return (
    <Form.Item name={name} label={label} rules={required}>
      <DateInput />
    </Form.Item>
  );
}

export function PersonalIdField({ name, label = 'Số định danh cá nhân' }: { name: NamePath; label?: string }) {
  return (
    <Form.Item name={name} label={label} rules={[...required, { pattern: /^\d{12}$/, message: 'Số định danh gồm 12 chữ số' }]}>
      <Input inputMode="numeric" maxLength={12} placeholder="12 chữ số" />
    </Form.Item>
  );
}

export function SexField({ name }: { name: NamePath }) {
  return (
    <Form.Item name={name} label="Giới tính" rules={required}>
      <Radio.Group options={[{ value: 'MALE', label: 'Nam' }, { value: 'FEMALE', label: 'Nữ' }]} />
    </Form.Item>
  );
}

/** An address: the province, then its commune picked by name from the national list (typing filters, accents optional). */
export function AddressFields({ base, label }: { base: Path; label: string }) {
  const form = Form.useFormInstance();
  const provinceCode = Form.useWatch(at(base, 'provinceCode'), form) as string | undefined;
  return (
    <Row gutter={12}>
      <Col xs={24} md={12}><TextField name={at(base, 'line')} label={label} placeholder="Số nhà, đường, thôn/ấp" /></Col>
      <Col xs={12} md={6}>
        <Form.Item name={at(base, 'provinceCode')} label="Tỉnh/thành phố" rules={required}>
          <Select showSearch={{ filterOption: foldedFilter }} options={provinceOptions} onChange={() => form.setFieldValue(at(base, 'communeCode'), undefined)} />
        </Form.Item>
      </Col>
      <Col xs={12} md={6}>
        <Form.Item name={at(base, 'communeCode')} label="Xã/phường/đặc khu" rules={required}>
          <Select showSearch={{ filterOption: foldedFilter }} placeholder="Gõ tên để tìm" options={communeOptions(provinceCode)} notFoundContent="Không có xã, phường nào khớp" />
        </Form.Item>
      </Col>
    </Row>
  );
}

export function ParentFields({ base }: { base: Path }) {
  return (
    <>
      <Row gutter={12}>
        <Col xs={24} md={8}><TextField name={at(base, 'fullName')} label="Họ, chữ đệm và tên" maxLength={120} /></Col>
        <Col xs={24} md={8}><PersonalIdField name={at(base, 'personalIdNumber')} /></Col>
        <Col xs={12} md={4}><TextField name={at(base, 'ethnicity')} label="Dân tộc" /></Col>
        <Col xs={12} md={4}><TextField name={at(base, 'nationality')} label="Quốc tịch" /></Col>
      </Row>
      <AddressFields base={at(base, 'residence')} label="Nơi cư trú" />
    </>
  );
}

export function RequesterFields({ relationships }: { relationships: readonly string[] }) {
  return (
    <Row gutter={12}>
      <Col xs={24} md={8}><TextField name={['requester', 'fullName']} label="Họ, chữ đệm và tên" maxLength={120} /></Col>
      <Col xs={24} md={6}><PersonalIdField name={['requester', 'personalIdNumber']} /></Col>
      <Col xs={12} md={5}>
        <Form.Item name={['requester', 'relationship']} label="Quan hệ" rules={required}>
          <Select options={relationships.map((value) => ({ value, label: relationshipLabel[value] ?? value }))} />
        </Form.Item>
      </Col>
      <Col xs={12} md={5}>
        <Form.Item name={['requester', 'phone']} label="Điện thoại" rules={[{ pattern: /^\+?\d{9,12}$/, message: 'Số điện thoại 9–12 chữ số' }]}>
          <Input inputMode="tel" maxLength={13} />
        </Form.Item>
      </Col>
    </Row>
  );
}

const channelOptions = [
  { value: 'SMS', label: 'Tin nhắn SMS' },
  { value: 'EMAIL', label: 'Thư điện tử' },
  { value: 'VNEID', label: 'Ứng dụng VNeID' },
];

/**
 * Where the citizen is told of each step's outcome (the intake's optional `contact`). No channel chosen:
 * SMS to the phone given here or the requester's, else email; nothing given at all, nothing is sent.
 * Checked on submit by the intake's own schema (an SMS needs a phone, an email an address).
 */
export function ContactFields() {
  return (
    <Row gutter={12}>
      <Col xs={24} md={6}>
        <Form.Item
          name={['contact', 'channel']}
          label="Nhận thông báo qua"
          extra="Để trống: SMS đến số nhận tin hoặc số điện thoại của người đi làm thủ tục; không có số thì thư điện tử; không có cả hai thì không gửi."
        >
          <Select allowClear={clearable} placeholder="Tự động (SMS nếu có số điện thoại)" options={channelOptions} />
        </Form.Item>
      </Col>
      <Col xs={12} md={6}>
        <Form.Item name={['contact', 'phone']} label="Số điện thoại nhận tin" extra="Để trống: số của người đi làm thủ tục">
          <Input inputMode="tel" maxLength={13} />
        </Form.Item>
      </Col>
      <Col xs={12} md={8}>
        <Form.Item name={['contact', 'email']} label="Thư điện tử nhận tin">
          <Input inputMode="email" maxLength={254} />
        </Form.Item>
      </Col>
    </Row>
  );
}

/** A procedure the citizen may join to the group, with its rule said beside it. */
export function ProcedureChoice({ name, label, rule, disabled }: { name: NamePath; label: string; rule: string; disabled?: boolean }) {
  return (
    <Form.Item name={name} valuePropName="checked" extra={rule} style={{ marginBottom: 8 }}>
      <Checkbox disabled={disabled}>{label}</Checkbox>
    </Form.Item>
  );
}
