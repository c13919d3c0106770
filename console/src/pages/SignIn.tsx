import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Col, Row, Space, Spin, Tag, Typography } from 'antd';
import type { SignInOptions } from '../../../api/routes/session';
import type { AgencyRole } from '../../../domain/procedures';
import { api, queryClient } from '../api';
import { agencyLabel, jurisdictionText, roleLabel } from '../labels';
import { session } from '../session';
import { finishSignIn, isCallback, startSignIn } from '../oidc';
import { PageTitle } from '../components/PageTitle';

/** How often the sign-in page looks again at an identity provider that does not answer. */
const providerRetryMs = 5_000;

/** The sign-in page: through the deployment's identity provider, or in development one click per development identity. */
export function SignIn() {
  const navigate = useNavigate();
  const [failure, setFailure] = useState<string | null>(null);
  const options = useQuery({
    queryKey: ['sign-in-options'],
    queryFn: () => api<SignInOptions>('/v1/session/sign-in-options'),
    // While the identity provider does not answer, look again: the button comes back with it.
    refetchInterval: (query) => (query.state.data?.identityProvider?.reachable === false ? providerRetryMs : false),
  });
  const signIn = (token: string) => {
    queryClient.clear();
    session.signIn(token);
  };
  const provider = options.data?.identityProvider;
  // Back from the identity provider: trade the code for the token, once.
  const finishing = useRef(false);
  useEffect(() => {
    if (!provider?.reachable || !isCallback() || finishing.current) return;
    finishing.current = true;
    finishSignIn(provider).then(
      (token) => {
        signIn(token);
        navigate('/', { replace: true });
      },
      (error: Error) => setFailure(error.message),
    );
  }, [provider]);
  return (
    <Row justify="center" style={{ padding: 24, minHeight: '100vh', background: '#f5f5f5' }}>
      <Col xs={24} md={20} lg={14}>
        <PageTitle style={{ fontSize: 30, marginBottom: 16 }}>Liên thông — Đăng nhập</PageTitle>
        <Typography.Paragraph>Liên thông thủ tục hành chính khai sinh, khai tử (Nghị định 63/2024/NĐ-CP).</Typography.Paragraph>
        <Typography.Paragraph>
          Công dân tra cứu hồ sơ đã nộp: <Link to="/tra-cuu">Tra cứu hồ sơ</Link> (không cần đăng nhập).
        </Typography.Paragraph>
        {options.isLoading && <Spin />}
        {options.isError && <Alert type="error" showIcon title="Không tải được cách đăng nhập" description={options.error.message} />}
        {failure && <Alert type="error" showIcon title="Đăng nhập không thành công" description={failure} style={{ marginBottom: 16 }} />}
        {provider && (
          <Card title="Đăng nhập bằng tài khoản do cơ quan cấp" style={{ marginBottom: 16 }}>
            {provider.reachable ? (
              <Button type="primary" size="large" onClick={() => void startSignIn(provider)} data-testid="sign-in-oidc">
                Đăng nhập qua cổng định danh
              </Button>
            ) : (
              <Alert
                type="warning"
                showIcon
                data-testid="identity-provider-unreachable"
                title="Cổng định danh đang không truy cập được"
                description="Chưa thể đăng nhập lúc này. Trang tự kiểm tra lại vài giây một lần; nút đăng nhập sẽ hiện khi cổng định danh hoạt động trở lại."
              />
            )}
          </Card>
        )}
        {options.data && !provider && options.data.developmentPrincipals.length === 0 && (
          <Alert type="warning" showIcon title="Chưa cấu hình cách đăng nhập" description="Máy chủ chưa có cổng định danh (AUTH_OIDC_ISSUER) và không ở chế độ phát triển." />
        )}
        {options.data && options.data.developmentPrincipals.length > 0 && (
          <Card title="Tài khoản phát triển (chỉ ở chế độ phát triển)">
            <Space orientation="vertical" style={{ width: '100%' }}>
              {options.data.developmentPrincipals.map((p) => (
                <Button key={p.name} block data-testid={`sign-in-${p.name}`} onClick={() => signIn(p.token)} style={{ height: 'auto', textAlign: 'left', padding: 8, display: 'block', whiteSpace: 'normal' }}>
                  <Typography.Text strong>{p.principal.subject}</Typography.Text>
                  <br />
                  <Tag color="gold">{roleLabel[p.principal.role]}</Tag>
                  {p.principal.agency && <Tag color="blue">{agencyLabel[p.principal.agency as AgencyRole]}</Tag>}
                  <Tag>{jurisdictionText(p.principal.jurisdiction)}</Tag>
                </Button>
              ))}
            </Space>
          </Card>
        )}
      </Col>
    </Row>
  );
}
