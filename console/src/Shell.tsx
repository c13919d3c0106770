import { lazy, Suspense } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Grid, Layout, Menu, Result, Space, Spin, Tag, Typography } from 'antd';
import { AlertOutlined, DashboardOutlined, FileAddOutlined, FileTextOutlined, FolderOpenOutlined, InboxOutlined, LogoutOutlined } from '@ant-design/icons';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import type { Me } from '../../api/routes/session';
import { agencyLabel, jurisdictionText, roleLabel } from './labels';
import { api, queryClient } from './api';
import { session, useToken } from './session';
import { SignIn } from './pages/SignIn';
import { DossierLookup } from './pages/DossierLookup';
import { DossierList } from './pages/DossierList';
import { NewDossier } from './pages/NewDossier';
import { DossierPage } from './pages/DossierPage';
import { Inbox } from './pages/Inbox';
import { TaskPage } from './pages/TaskPage';
import { StuckDossiers } from './pages/StuckDossiers';
import { DraftPage, Drafts } from './pages/Drafts';
import type { AgencyRole } from '../../domain/procedures';

// The charts library is large: only supervisors load it, when they open the dashboard.
const Dashboard = lazy(() => import('./pages/Dashboard').then((m) => ({ default: m.Dashboard })));

export function useMe() {
  return useQuery({ queryKey: ['me'], queryFn: () => api<Me>('/v1/me'), staleTime: Infinity });
}


function signOut() {
  session.signOut();
  // Nothing of the last user stays in memory for the next one at this desk.
  queryClient.clear();
}

type MenuEntry = { key: string; icon: React.ReactNode; label: string };
function menuFor(me: Me): MenuEntry[] {
  if (me.role === 'CLERK')
    return [
      { key: '/ho-so', icon: <FolderOpenOutlined />, label: 'Hồ sơ của xã' },
      { key: '/ho-so/nhap', icon: <FileTextOutlined />, label: 'Hồ sơ nháp' },
      { key: '/ho-so/moi/khai-sinh', icon: <FileAddOutlined />, label: 'Tiếp nhận khai sinh' },
      { key: '/ho-so/moi/khai-tu', icon: <FileAddOutlined />, label: 'Tiếp nhận khai tử' },
    ];
  if (me.role === 'SUPERVISOR')
    return [
      { key: '/giam-sat', icon: <DashboardOutlined />, label: 'Tổng quan' },
      { key: '/giam-sat/ho-so', icon: <AlertOutlined />, label: 'Hồ sơ tồn đọng' },
      { key: '/giam-sat/ho-so-nhap', icon: <FileTextOutlined />, label: 'Nháp quá hạn' },
      { key: '/nhiem-vu', icon: <InboxOutlined />, label: 'Nhiệm vụ các cơ quan' },
    ];
  return [{ key: '/nhiem-vu', icon: <InboxOutlined />, label: 'Hộp nhiệm vụ' }];
}

const home: Record<Me['role'], string> = { CLERK: '/ho-so', AGENCY_OFFICER: '/nhiem-vu', AGENCY_SYSTEM: '/nhiem-vu', SUPERVISOR: '/giam-sat', PORTAL: '/tra-cuu' };

/** The citizen's lookup is open to anyone; everything else is behind signing in. */
export function Shell() {
  return (
    <Routes>
      <Route path="/tra-cuu" element={<DossierLookup />} />
      <Route path="*" element={<Desk />} />
    </Routes>
  );
}

function Desk() {
  const token = useToken();
  if (!token) return <SignIn />;
  return <SignedIn />;
}

function SignedIn() {
  const me = useMe();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  if (me.isLoading) return <Spin fullscreen description="Đang tải…" />;
  if (me.isError || !me.data)
    return <Result status="error" title="Không tải được thông tin đăng nhập" subTitle={me.error?.message} extra={<Button onClick={signOut}>Đăng nhập lại</Button>} />;
  const user = me.data;
  const menu = menuFor(user);
  const selected = [...menu].sort((a, b) => b.key.length - a.key.length).find((m) => location.pathname.startsWith(m.key))?.key ?? '';
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, paddingInline: 16, background: '#7f0000', flexWrap: 'wrap', height: 'auto', lineHeight: '48px' }}>
        <Typography.Text strong style={{ color: '#fff', fontSize: 18 }}>
          Liên thông
        </Typography.Text>
        <Menu
          theme="dark"
          mode="horizontal"
          selectedKeys={[selected]}
          items={menu.map((m) => ({ key: m.key, icon: m.icon, label: <Link to={m.key}>{m.label}</Link> }))}
          // A row of its own under the name and the signed-in person, wrapping rather than folding entries
          // into an unnamed "⋯" whose hidden items stay focusable.
          disabledOverflow
          style={{ flex: '1 1 100%', order: 3, minWidth: 0, background: 'transparent', flexWrap: 'wrap' }}
        />
        <Space wrap size={4} aria-label="Người đăng nhập" data-testid="who" style={{ marginLeft: 'auto' }}>
          <Typography.Text style={{ color: '#fff' }}>{user.subject}</Typography.Text>
          <Tag color="gold">{roleLabel[user.role]}</Tag>
          {user.agency && screens.md && <Tag color="blue">{agencyLabel[user.agency as AgencyRole] ?? user.agency}</Tag>}
          {screens.md && <Tag>{jurisdictionText(user.jurisdiction)}</Tag>}
          <Button size="small" icon={<LogoutOutlined />} onClick={signOut}>
            Đăng xuất
          </Button>
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding: screens.md ? 24 : 8 }}>
        <Routes>
          <Route path="/" element={<Navigate to={home[user.role]} replace />} />
          <Route path="/ho-so/:dossierNumber" element={<DossierPage me={user} />} />
          {/* A clerk's desk is always a commune's (the token schema enforces it). */}
          {user.role === 'CLERK' && user.jurisdiction.scope === 'COMMUNE' && (
            <>
              <Route path="/ho-so" element={<DossierList />} />
              <Route path="/ho-so/nhap" element={<Drafts />} />
              <Route path="/ho-so/nhap/:noticeId" element={<DraftPage place={user.jurisdiction} />} />
              <Route path="/ho-so/moi/khai-sinh" element={<NewDossier key="BIRTH" place={user.jurisdiction} group="BIRTH" />} />
              <Route path="/ho-so/moi/khai-tu" element={<NewDossier key="DEATH" place={user.jurisdiction} group="DEATH" />} />
            </>
          )}
          {user.role !== 'CLERK' && (
            <>
              <Route path="/nhiem-vu" element={<Inbox me={user} />} />
              <Route path="/nhiem-vu/:id" element={<TaskPage me={user} />} />
            </>
          )}
          {user.role === 'SUPERVISOR' && (
            <>
              <Route path="/giam-sat" element={<Suspense fallback={<Spin />}><Dashboard /></Suspense>} />
              <Route path="/giam-sat/ho-so" element={<StuckDossiers />} />
              <Route path="/giam-sat/ho-so-nhap" element={<Drafts overdueOnly />} />
            </>
          )}
          <Route path="*" element={<Alert type="warning" showIcon title="Trang này không có hoặc không dành cho vai trò của bạn." />} />
        </Routes>
      </Layout.Content>
    </Layout>
  );
}
