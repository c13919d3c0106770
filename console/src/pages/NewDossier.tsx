import { useMutation } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Col, Divider, Form, Input, Result, Row, Select, Space, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { Place } from '../../../domain/principal';
import { placeName } from '../../../domain/jurisdiction';
import { intakeSubmissionSchema } from '../../../domain/intake';
import { funeralCategories } from '../../../domain/funeral-allowance';
import { api, ApiProblem } from '../api';
import { dayjs } from '../format';
import { funeralCategoryLabel, groupLabel, relationshipLabel, stepLabel } from '../labels';
import { AddressFields, ContactFields, DateField, ParentFields, PersonalIdField, ProcedureChoice, RequesterFields, SexField, TextField } from '../forms/fields';
import { issuesFromProblem, showIssues, toFormValues, toIntake, withContactDefaults } from '../forms/intake-values';
import { ReceiptSlip } from '../components/ReceiptSlip';
import { DossierAttachments } from '../components/DossierAttachments';
import type { ReceiptSlipData } from '../../../domain/receipt-slip';
import { PageTitle } from '../components/PageTitle';

type Group = 'BIRTH' | 'DEATH';
interface Receipt {
  dossierNumber: string;
  /** Null when the same intake had been received before: its code was shown then. */
  receiptCode: string | null;
  receivedAt: string;
  dueAt: string;
  slip: ReceiptSlipData;
  workflowStarted: boolean;
}

/** A dossier number under the desk's office code; the clerk may type the portal's instead. */
function suggestedNumber(place: Place): string {
  const stamp = dayjs().format('YYMMDD');
  return `H${place.provinceCode}.${place.communeCode}-${stamp}-${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
}

/** The one-stop desk's intake of a linked procedure group, then the citizen's receipt. */
type Draft = { noticeId: string; prefill: Record<string, unknown> };

export function NewDossier({ place, group, draft }: { place: Place; group: Group; draft?: Draft }) {
  const navigate = useNavigate();
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  // Each new intake is a fresh form, not the last one's values.
  const [round, setRound] = useState(0);
  if (!receipt) return <IntakeForm key={`${group}-${round}`} place={place} group={group} onReceipt={setReceipt} {...(draft && round === 0 ? { draft } : {})} />;
  const open = () => navigate(`/ho-so/${encodeURIComponent(receipt.dossierNumber)}`);
  const again = () => {
    setReceipt(null);
    setRound((r) => r + 1);
  };
  return (
    <Card>
      <Result
        status="success"
        title={<PageTitle style={{ fontSize: 24 }}>Đã tiếp nhận hồ sơ {receipt.dossierNumber}</PageTitle>}
        subTitle={
          receipt.receiptCode
            ? 'In hoặc chép mã tra cứu cho công dân: mã chỉ hiện một lần.'
            : 'Hồ sơ này đã được tiếp nhận trước đó và đã có mã tra cứu. Cần mã mới thì cấp ở trang hồ sơ.'
        }
        extra={[
          <Button key="open" type="primary" onClick={open}>Xem hồ sơ</Button>,
          <Button key="again" onClick={again}>Tiếp nhận hồ sơ khác</Button>,
        ]}
      />
      {receipt.receiptCode && <ReceiptSlip dossierNumber={receipt.dossierNumber} receiptCode={receipt.receiptCode} slip={receipt.slip} group={group} receivedAt={receipt.receivedAt} dueAt={receipt.dueAt} />}
      {/* The scans the citizen brought, attached as soon as the dossier exists: the files need its number. */}
      <Card type="inner" title="Bản quét giấy tờ của hồ sơ" className="no-print" style={{ marginTop: 16 }}>
        <DossierAttachments dossierNumber={receipt.dossierNumber} group={group} canUpload />
      </Card>
    </Card>
  );
}

/** The intake form, checked here by the same schema as the API. */
function IntakeForm({ place, group, onReceipt, draft }: { place: Place; group: Group; onReceipt: (receipt: Receipt) => void; draft?: Draft }) {
  const [form] = Form.useForm();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [unplaced, setUnplaced] = useState<string[]>([]);
  const submit = useMutation({
    // A draft is confirmed through its notice, which links the dossier to it; otherwise a plain intake.
    mutationFn: (intake: unknown) => api<Receipt>(draft ? `/v1/notices/${draft.noticeId}/confirmation` : '/v1/dossiers', { method: 'POST', body: intake }),
    onSuccess: (answer) => {
      if (answer.workflowStarted) message.success(`Đã tiếp nhận hồ sơ ${answer.dossierNumber}`);
      else message.warning(`Đã ghi nhận hồ sơ ${answer.dossierNumber}; hệ thống sẽ tự chuyển xử lý khi máy chủ quy trình sẵn sàng.`);
      // The receipt first: its code is shown this once, for the citizen to take away.
      onReceipt(answer);
    },
    onError: (error) => {
      if (error instanceof ApiProblem && error.errors.length > 0) setUnplaced(showIssues(form, issuesFromProblem(error.errors)));
      else if (error instanceof ApiProblem && error.status === 409) {
        setUnplaced([draft ? `Hồ sơ nháp đã được tiếp nhận với số hồ sơ khác: ${error.message}` : `Số hồ sơ đã được dùng cho hồ sơ khác: ${error.message}`]);
      } else setUnplaced([error.message]);
    },
  });

  const onFinish = (values: Record<string, unknown>) => {
    const intake = toIntake({
      ...withContactDefaults(values),
      group,
      jurisdiction: place,
      ...(values._hasMother ? {} : { mother: undefined }),
      ...(values._hasFather ? {} : { father: undefined }),
    });
    const parsed = intakeSubmissionSchema.safeParse(intake);
    if (!parsed.success) {
      setUnplaced(showIssues(form, parsed.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message }))));
      return;
    }
    setUnplaced([]);
    submit.mutate(intake);
  };

  const residenceDefaults = { ...place, line: '' };
  const defaults =
    group === 'BIRTH'
      ? {
          dossierNumber: suggestedNumber(place),
          procedures: { permanentResidence: true, healthInsurance: true },
          child: { ethnicity: 'Kinh', nationality: 'Việt Nam' },
          _hasMother: true,
          mother: { ethnicity: 'Kinh', nationality: 'Việt Nam', residence: residenceDefaults },
          father: { ethnicity: 'Kinh', nationality: 'Việt Nam', residence: residenceDefaults },
          residence: { ...residenceDefaults, headOfHouseholdConsent: true },
        }
      : { dossierNumber: suggestedNumber(place), procedures: { residenceRemoval: true, funeralAllowance: false, survivorBenefit: false } };
  const initialValues = draft ? toFormValues(defaults, draft.prefill) : defaults;

  return (
    <Card title={<PageTitle>Tiếp nhận hồ sơ: {groupLabel[group]}</PageTitle>}>
      <Form form={form} layout="vertical" initialValues={initialValues} onFinish={onFinish} onValuesChange={() => unplaced.length && setUnplaced([])}>
        <Row gutter={12}>
          <Col xs={24} md={12}>
            <TextField name="dossierNumber" label="Số hồ sơ (mã cơ quan của xã ở đầu)" maxLength={64} />
          </Col>
          <Col xs={24} md={12}>
            <Form.Item label="Nơi tiếp nhận" htmlFor="intake-place">
              <Input id="intake-place" disabled value={placeName(place)} />
            </Form.Item>
          </Col>
        </Row>
        {group === 'BIRTH' ? <BirthFields /> : <DeathFields />}
        <Divider titlePlacement="start">Người đi làm thủ tục</Divider>
        <RequesterFields relationships={['MOTHER', 'FATHER', 'GRANDPARENT', 'SIBLING', 'RELATIVE', 'SPOUSE', 'CHILD', 'OTHER']} />
        <ContactFields />
        {unplaced.length > 0 && <Alert type="error" showIcon title="Hồ sơ chưa hợp lệ" description={<ul>{unplaced.map((u) => <li key={u}>{u}</li>)}</ul>} style={{ marginBottom: 16 }} />}
        <Space>
          <Button type="primary" htmlType="submit" loading={submit.isPending}>Tiếp nhận hồ sơ</Button>
          <Button onClick={() => navigate('/ho-so')}>Hủy</Button>
        </Space>
      </Form>
    </Card>
  );
}

function BirthFields() {
  const dateOfBirth = Form.useWatch(['child', 'dateOfBirth']);
  const chosen = Form.useWatch('procedures');
  const hasMother = Form.useWatch('_hasMother');
  const hasFather = Form.useWatch('_hasFather');
  // The card is for a child under 6 at the receipt (Luật BHYT): the API checks it again.
  const underSix = !dateOfBirth || dayjs().diff(dateOfBirth, 'month') < 72;
  return (
    <>
      <Divider titlePlacement="start">Thủ tục liên thông</Divider>
      <Checkbox checked disabled>{stepLabel.BIRTH_REGISTRATION}</Checkbox>
      <br />
      <Checkbox checked disabled style={{ marginBottom: 8 }}>{stepLabel.PERSONAL_ID}</Checkbox>
      <ProcedureChoice name={['procedures', 'permanentResidence']} label={stepLabel.PERMANENT_RESIDENCE} rule="Cần địa chỉ thường trú và sự đồng ý của chủ hộ." />
      <ProcedureChoice name={['procedures', 'healthInsurance']} label={stepLabel.CHILD_HEALTH_INSURANCE} rule={underSix ? 'Chỉ cho trẻ dưới 6 tuổi; cần mã cơ sở khám chữa bệnh ban đầu.' : 'Trẻ đã đủ 6 tuổi: không cấp thẻ BHYT trẻ em.'} disabled={!underSix} />

      <Divider titlePlacement="start">Người được khai sinh</Divider>
      <Row gutter={12}>
        <Col xs={24} md={8}><TextField name={['child', 'fullName']} label="Họ, chữ đệm và tên" maxLength={120} /></Col>
        <Col xs={12} md={4}><SexField name={['child', 'sex']} /></Col>
        <Col xs={12} md={4}><DateField name={['child', 'dateOfBirth']} label="Ngày sinh" /></Col>
        <Col xs={24} md={8}><TextField name={['child', 'placeOfBirth']} label="Nơi sinh" /></Col>
        <Col xs={12} md={4}><TextField name={['child', 'ethnicity']} label="Dân tộc" /></Col>
        <Col xs={12} md={4}><TextField name={['child', 'nationality']} label="Quốc tịch" /></Col>
        <Col xs={24} md={8}><TextField name={['child', 'homeTown']} label="Quê quán" /></Col>
      </Row>
      <Divider titlePlacement="start">Giấy chứng sinh</Divider>
      <Row gutter={12}>
        <Col xs={24} md={8}><TextField name={['birthCertificate', 'number']} label="Số giấy chứng sinh" /></Col>
        <Col xs={24} md={10}><TextField name={['birthCertificate', 'issuedBy']} label="Cơ sở y tế cấp" /></Col>
        <Col xs={24} md={6}><DateField name={['birthCertificate', 'issuedOn']} label="Ngày cấp" /></Col>
      </Row>
      <Divider titlePlacement="start">Cha, mẹ (ít nhất một người)</Divider>
      <Form.Item name="_hasMother" valuePropName="checked" style={{ marginBottom: 8 }}><Checkbox>Có thông tin người mẹ</Checkbox></Form.Item>
      {hasMother && <ParentFields base={['mother']} />}
      <Form.Item name="_hasFather" valuePropName="checked" style={{ marginBottom: 8 }}><Checkbox>Có thông tin người cha</Checkbox></Form.Item>
      {hasFather && <ParentFields base={['father']} />}
      {chosen?.permanentResidence && (
        <>
          <Divider titlePlacement="start">Nơi đăng ký thường trú</Divider>
          <AddressFields base={['residence']} label="Địa chỉ thường trú" />
          <Form.Item name={['residence', 'headOfHouseholdConsent']} valuePropName="checked"><Checkbox>Chủ hộ đã đồng ý cho nhập hộ khẩu</Checkbox></Form.Item>
        </>
      )}
      {chosen?.healthInsurance && (
        <>
          <Divider titlePlacement="start">Bảo hiểm y tế</Divider>
          <Row gutter={12}>
            <Col xs={24} md={8}>
              <Form.Item name={['healthInsurance', 'initialFacilityCode']} label="Mã cơ sở KCB ban đầu" rules={[{ required: true, message: 'Bắt buộc' }, { pattern: /^\d{5}$/, message: 'Mã cơ sở KCB gồm 5 chữ số' }]}>
                <Input inputMode="numeric" maxLength={5} />
              </Form.Item>
            </Col>
          </Row>
        </>
      )}
    </>
  );
}

function DeathFields() {
  const chosen = Form.useWatch('procedures');
  return (
    <>
      <Divider titlePlacement="start">Thủ tục liên thông (chọn 1 đến 3 thủ tục kèm khai tử)</Divider>
      <Checkbox checked disabled style={{ marginBottom: 8 }}>{stepLabel.DEATH_REGISTRATION}</Checkbox>
      <ProcedureChoice name={['procedures', 'residenceRemoval']} label={stepLabel.RESIDENCE_REMOVAL} rule="Công an xã xóa thường trú của người đã mất." />
      <ProcedureChoice name={['procedures', 'funeralAllowance']} label={stepLabel.FUNERAL_ALLOWANCE} rule="Cần đối tượng hưởng và người nhận, tài khoản nhận tiền." />
      <ProcedureChoice name={['procedures', 'survivorBenefit']} label={stepLabel.SURVIVOR_BENEFIT} rule="Cần danh sách thân nhân hưởng trợ cấp." />

      <Divider titlePlacement="start">Người đã mất</Divider>
      <Row gutter={12}>
        <Col xs={24} md={8}><TextField name={['deceased', 'fullName']} label="Họ, chữ đệm và tên" maxLength={120} /></Col>
        <Col xs={24} md={6}><PersonalIdField name={['deceased', 'personalIdNumber']} /></Col>
        <Col xs={12} md={4}><SexField name={['deceased', 'sex']} /></Col>
        <Col xs={12} md={6}><DateField name={['deceased', 'dateOfBirth']} label="Ngày sinh" /></Col>
        <Col xs={12} md={6}><DateField name={['deceased', 'dateOfDeath']} label="Ngày mất" /></Col>
        <Col xs={24} md={9}><TextField name={['deceased', 'placeOfDeath']} label="Nơi mất" /></Col>
        <Col xs={24} md={9}><TextField name={['deceased', 'cause']} label="Nguyên nhân" /></Col>
      </Row>
      <Divider titlePlacement="start">Giấy báo tử</Divider>
      <Row gutter={12}>
        <Col xs={24} md={8}><TextField name={['deathNotice', 'number']} label="Số giấy báo tử" /></Col>
        <Col xs={24} md={10}><TextField name={['deathNotice', 'issuedBy']} label="Nơi cấp" /></Col>
        <Col xs={24} md={6}><DateField name={['deathNotice', 'issuedOn']} label="Ngày cấp" /></Col>
      </Row>
      {chosen?.funeralAllowance && (
        <>
          <Divider titlePlacement="start">Trợ cấp mai táng</Divider>
          <Form.Item name={['funeralAllowance', 'categories']} label="Đối tượng (mức cao nhất được chi trả)" rules={[{ required: true, message: 'Chọn ít nhất một đối tượng' }]}>
            <Checkbox.Group options={funeralCategories.map((value) => ({ value, label: funeralCategoryLabel[value] ?? value }))} />
          </Form.Item>
          <Row gutter={12}>
            <Col xs={24} md={8}><TextField name={['funeralAllowance', 'payee', 'fullName']} label="Người nhận trợ cấp" maxLength={120} /></Col>
            <Col xs={24} md={6}><PersonalIdField name={['funeralAllowance', 'payee', 'personalIdNumber']} /></Col>
            <Col xs={12} md={4}><TextField name={['funeralAllowance', 'payee', 'bankAccount', 'bankCode']} label="Mã ngân hàng" maxLength={11} /></Col>
            <Col xs={12} md={6}><TextField name={['funeralAllowance', 'payee', 'bankAccount', 'accountNumber']} label="Số tài khoản" maxLength={20} /></Col>
          </Row>
        </>
      )}
      {chosen?.survivorBenefit && (
        <>
          <Divider titlePlacement="start">Thân nhân hưởng trợ cấp tuất</Divider>
          <Form.List name={['survivorBenefit', 'survivors']} initialValue={[{}]}>
            {(fields, { add, remove }) => (
              <>
                {fields.map((field) => (
                  <Row gutter={12} key={field.key} align="middle">
                    <Col xs={24} md={7}><TextField name={[field.name, 'fullName']} label="Họ và tên" maxLength={120} /></Col>
                    <Col xs={24} md={6}><PersonalIdField name={[field.name, 'personalIdNumber']} /></Col>
                    <Col xs={12} md={4}>
                      <Form.Item name={[field.name, 'relationship']} label="Quan hệ" rules={[{ required: true, message: 'Bắt buộc' }]}>
                        <Select options={['SPOUSE', 'CHILD', 'PARENT', 'OTHER_DEPENDANT'].map((value) => ({ value, label: relationshipLabel[value] }))} />
                      </Form.Item>
                    </Col>
                    <Col xs={10} md={5}><DateField name={[field.name, 'dateOfBirth']} label="Ngày sinh" /></Col>
                    <Col xs={2} md={2}>{fields.length > 1 && <Button aria-label="Bỏ thân nhân" icon={<MinusCircleOutlined />} onClick={() => remove(field.name)} />}</Col>
                  </Row>
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add({})} disabled={fields.length >= 30} style={{ marginBottom: 16 }}>Thêm thân nhân</Button>
              </>
            )}
          </Form.List>
        </>
      )}
    </>
  );
}
