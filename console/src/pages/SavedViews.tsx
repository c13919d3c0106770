import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Input, Modal, Select, Space } from 'antd';
import { useState } from 'react';
import { useNavigate, useLocation } from 'react-router-dom';
import type { SavedView } from '../../../api/routes/saved-views';
import { api } from '../api';

/** The user's named filters of a list, kept on the server: choose one to open it, save the current one. */
export function SavedViews({ list, query }: { list: SavedView['list']; query: string }) {
  const { message } = App.useApp();
  const client = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const views = useQuery({ queryKey: ['saved-views', list], queryFn: () => api<{ views: SavedView[] }>(`/v1/me/saved-views?list=${list}`) });
  const save = useMutation({
    mutationFn: () => api<SavedView>('/v1/me/saved-views', { method: 'POST', body: { list, name, query } }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['saved-views', list] });
      setNaming(false);
      setName('');
      message.success('Đã lưu bộ lọc');
    },
    onError: (error) => message.error(error.message),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api<void>(`/v1/me/saved-views/${id}`, { method: 'DELETE' }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['saved-views', list] }),
  });
  const current = views.data?.views.find((v) => v.query === query);
  return (
    <Space wrap>
      <Select
        aria-label="Bộ lọc đã lưu"
        placeholder="Bộ lọc đã lưu"
        style={{ width: 200 }}
        value={current?.id}
        onChange={(id?: string) => {
          const view = views.data?.views.find((v) => v.id === id);
          if (view) navigate(`${location.pathname}?${view.query}`);
        }}
        options={views.data?.views.map((v) => ({ value: v.id, label: v.name }))}
        notFoundContent="Chưa có bộ lọc nào"
      />
      <Button onClick={() => setNaming(true)} disabled={!query || Boolean(current)}>Lưu bộ lọc</Button>
      {current && <Button danger onClick={() => remove.mutate(current.id)}>Xóa bộ lọc đã lưu</Button>}
      <Modal title="Lưu bộ lọc hiện tại" open={naming} okText="Lưu" cancelText="Hủy" onOk={() => save.mutate()} onCancel={() => setNaming(false)} okButtonProps={{ disabled: !name.trim(), loading: save.isPending }}>
        <Input autoFocus aria-label="Tên bộ lọc" placeholder="Ví dụ: Công an quá hạn" value={name} onChange={(e) => setName(e.target.value)} onPressEnter={() => name.trim() && save.mutate()} maxLength={80} />
      </Modal>
    </Space>
  );
}
