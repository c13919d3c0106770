import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import viVN from 'antd/locale/vi_VN';
import { BrowserRouter } from 'react-router-dom';
import { queryClient } from './api';
import { Shell } from './Shell';
import './format';
import './print.css';
import { hideIconDrawingNames } from './icon-names';

hideIconDrawingNames(document.body);

/**
 * Ant Design's palette with every text colour at 4.5:1 or more on its background (WCAG 2.1 AA): the
 * status colours and the preset tags' text (shade 7 by default, 2.5–4.3:1) take darker shades, and
 * secondary text and placeholders are darker grey.
 */
const darkTagText = { blue7: '#003eb3', gold7: '#874d00', green7: '#135200', orange7: '#873800', purple7: '#391085', red7: '#a8071a', cyan7: '#00474f', volcano7: '#871400', magenta7: '#780650', geekblue7: '#061178', lime7: '#3f6600' };
/** A refused submit puts the keyboard and the screen reader on the first field to correct (WCAG 3.3.1). */
const firstInvalidField = { block: 'center', focus: true } as const;

const readableTheme = {
  token: {
    colorPrimary: '#b71c1c',
    fontSize: 14,
    colorSuccess: '#237804',
    colorWarning: '#ad4e00',
    colorError: '#a8071a',
    colorInfo: '#0958d9',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.6)',
    ...darkTagText,
  },
};

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConfigProvider locale={viVN} theme={readableTheme} form={{ scrollToFirstError: firstInvalidField }}>
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter basename="/console">
            <Shell />
          </BrowserRouter>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);
