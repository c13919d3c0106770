import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Card, Space, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { downloadPdf } from '../downloads';

const documents = [
  { kind: 'extract', title: 'Trích lục (bản đầy đủ)' },
  { kind: 'receipt', title: 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả' },
] as const;

/**
 * The results of an ended group as PDFs, in full (names, ID number, card), to print or hand over at the
 * desk: the same files every time. The citizen's own download, by receipt code, leaves the personal data out.
 */
export function ResultDocuments({ path }: { path: string }) {
  const download = useMutation({ mutationFn: (kind: string) => downloadPdf(`${path}/results/${kind}`) });
  return (
    <Card title="Kết quả điện tử" data-testid="result-documents">
      <Typography.Paragraph>Tải về để in hoặc trao cho người nộp hồ sơ sau khi kiểm tra giấy tờ tùy thân.</Typography.Paragraph>
      <Space wrap>
        {documents.map((d) => (
          <Button key={d.kind} icon={<DownloadOutlined aria-hidden />} onClick={() => download.mutate(d.kind)} loading={download.isPending && download.variables === d.kind} data-testid={`staff-download-${d.kind}`}>
            {d.title}
          </Button>
        ))}
      </Space>
      {download.isError && <Alert style={{ marginTop: 8 }} type="warning" showIcon title={download.error.message} />}
    </Card>
  );
}
