import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Select, Space, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import type { z } from 'zod';
import type { attachmentSchema } from '../../../api/routes/attachments';
import { procedureDocuments, type DocumentType } from '../../../domain/catalogues';
import type { ProcedureGroup } from '../../../domain/procedures';
import { api, ApiProblem } from '../api';
import { dateTime } from '../format';
import { documentLabel, problemText } from '../labels';
import { session } from '../session';

type Attachment = z.infer<typeof attachmentSchema>;
const attachmentsPath = (dossierNumber: string) => `/v1/dossiers/${encodeURIComponent(dossierNumber)}/attachments`;
const bearer = (): Record<string, string> => {
  const token = session.token();
  return token ? { authorization: `Bearer ${token}` } : {};
};

/** Sends one file as the body (its own type), keyed so that a repeated click is the same attachment. */
export async function uploadAttachment(dossierNumber: string, documentType: DocumentType, file: File, idempotencyKey: string): Promise<Attachment> {
  const response = await fetch(`${attachmentsPath(dossierNumber)}?documentType=${documentType}`, {
    method: 'POST',
    headers: { ...bearer(), 'content-type': file.type || 'application/octet-stream', 'x-file-name': encodeURIComponent(file.name), 'idempotency-key': idempotencyKey },
    body: file,
  }).catch(() => {
    throw new ApiProblem(0, 'Network', 'Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.');
  });
  const body = (await response.json().catch(() => ({}))) as Attachment & { title?: string; detail?: string; errors?: { field: string; reason: string }[] };
  if (!response.ok) throw new ApiProblem(response.status, body.title ?? response.statusText, body.detail, body.errors ?? []);
  return body;
}

/** Downloads with the session's token (a plain link cannot carry it), then hands the file to the browser. */
async function download(dossierNumber: string, attachment: Attachment): Promise<void> {
  const response = await fetch(`${attachmentsPath(dossierNumber)}/${attachment.id}/content`, { headers: bearer() });
  if (!response.ok) throw new ApiProblem(response.status, response.statusText, undefined);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = attachment.fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const sizeText = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/** A dossier's scanned documents; a clerk adds more, each typed from the procedure's catalogue. */
export function DossierAttachments({
  dossierNumber,
  group,
  documents,
  canUpload,
  listed = true,
  onUploaded,
}: {
  dossierNumber: string;
  group?: ProcedureGroup;
  /** The documents offered for upload (a supplement: the step's); default: every document of the group. */
  documents?: readonly DocumentType[];
  canUpload?: boolean;
  /** Off where the list is shown elsewhere on the page (the supplement form). */
  listed?: boolean;
  onUploaded?: (documentType: DocumentType) => void;
}) {
  const { message } = App.useApp();
  const client = useQueryClient();
  const list = useQuery({ queryKey: ['attachments', dossierNumber], enabled: listed, queryFn: () => api<{ attachments: Attachment[] }>(attachmentsPath(dossierNumber)) });
  const [documentType, setDocumentType] = useState<DocumentType | undefined>();
  const fail = (error: unknown) => message.error(error instanceof ApiProblem ? problemText(error) : String(error));
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="attachments">
      {listed && (
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          loading={list.isLoading}
          dataSource={list.data?.attachments}
          locale={{ emptyText: 'Chưa có giấy tờ đính kèm' }}
          columns={[
            { title: 'Giấy tờ', dataIndex: 'documentType', render: (d: DocumentType) => documentLabel[d] ?? d },
            { title: 'Tệp', dataIndex: 'fileName', render: (name: string, a) => `${name} (${sizeText(a.sizeBytes)})` },
            { title: 'Đính kèm lúc', dataIndex: 'createdAt', render: dateTime },
            { title: '', render: (_, a) => <Button size="small" onClick={() => void download(dossierNumber, a).catch(fail)}>Tải xuống</Button> },
          ]}
        />
      )}
      {canUpload && group && (
        <Space wrap>
          <Select
            aria-label="Loại giấy tờ đính kèm"
            placeholder="Chọn loại giấy tờ"
            style={{ minWidth: 280 }}
            value={documentType}
            onChange={setDocumentType}
            options={(documents ?? procedureDocuments(group)).map((d) => ({ value: d, label: documentLabel[d] }))}
          />
          <Upload
            accept="application/pdf,image/jpeg,image/png"
            showUploadList={false}
            disabled={!documentType}
            customRequest={({ file, onSuccess, onError }) => {
              uploadAttachment(dossierNumber, documentType!, file as File, crypto.randomUUID())
                .then((attachment) => {
                  onSuccess?.(attachment);
                  message.success('Đã đính kèm giấy tờ');
                  onUploaded?.(documentType!);
                  void client.invalidateQueries({ queryKey: ['attachments', dossierNumber] });
                })
                .catch((error: Error) => {
                  onError?.(error);
                  fail(error);
                });
            }}
          >
            <Button disabled={!documentType}>Tải tệp lên (PDF, JPEG, PNG)</Button>
          </Upload>
        </Space>
      )}
    </Space>
  );
}
