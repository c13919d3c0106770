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
import './accessibility.css';
import { repairAntAccessibility } from './ant-accessibility';

repairAntAccessibility(document.body);

/** A refused submit puts the keyboard and the screen reader on the first field to correct (WCAG 3.3.1). */
const firstInvalidField = { block: 'center', focus: true } as const;

/**
 * Ant Design's palette with every text colour at 4.5:1 or more on its background (WCAG 2.1 AA). Preset
 * tags write their text in shade 7 of the colour's palette (2.5–4.3:1 by default): each palette is
 * generated from a seed two shades darker. Status tags write in the status colour itself, darker here,
 * on the light backgrounds of Ant Design's defaults (derived from a dark seed they would turn grey).
 * Secondary text and placeholders are darker grey.
 */
const darkerPalettes = { blue: '#0958d9', gold: '#ad6800', green: '#237804', orange: '#ad4e00', purple: '#391085', red: '#a8071a', cyan: '#006d75', volcano: '#ad2102', magenta: '#9e1068', geekblue: '#10239e', lime: '#3f6600' };
const readableTheme = {
  token: {
    colorPrimary: '#b71c1c',
    fontSize: 14,
    ...darkerPalettes,
    colorSuccess: '#237804',
    colorSuccessBg: '#f6ffed',
    colorSuccessBorder: '#b7eb8f',
    colorWarning: '#ad4e00',
    colorWarningBg: '#fff7e6',
    colorWarningBorder: '#ffd591',
    colorError: '#a8071a',
    colorErrorBg: '#fff1f0',
    colorErrorBorder: '#ffa39e',
    colorInfo: '#0958d9',
    colorInfoBg: '#e6f4ff',
    colorInfoBorder: '#91caff',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.65)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.65)',
    // Nothing slides or fades for someone who asked their system for less motion (WCAG 2.3.3).
    motion: !window.matchMedia('(prefers-reduced-motion: reduce)').matches,
  },
  // An empty table says so in readable grey, not in the disabled grey (1.8:1) Ant Design gives it.
  // So do a date panel's days of the neighbouring months.
  components: { Table: { colorTextDisabled: 'rgba(0, 0, 0, 0.65)' }, DatePicker: { colorTextDisabled: 'rgba(0, 0, 0, 0.6)' } },
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
