import type { ReactNode } from 'react';
import { Typography } from 'antd';

/**
 * The page's one h1, which screen readers jump to first; drawn at the size of a card's title so the
 * layout keeps its proportions.
 */
export function PageTitle({ children, style }: { children: ReactNode; style?: React.CSSProperties }) {
  return (
    <Typography.Title level={1} style={{ fontSize: 20, lineHeight: 1.4, margin: 0, ...style }}>
      {children}
    </Typography.Title>
  );
}
