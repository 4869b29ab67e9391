import { GlobalStyles, type Theme } from '@mui/material';
import { RESULT_COLORS } from '../runs/status-chip.js';

type RowColors = Record<
  'success' | 'warning' | 'error' | 'running' | 'waiting' | 'stopped',
  string
>;

const LIGHT_ROW_COLORS: RowColors = {
  success: RESULT_COLORS.success,
  warning: RESULT_COLORS.warning,
  error: RESULT_COLORS.error,
  running: RESULT_COLORS.running,
  waiting: RESULT_COLORS.waiting,
  stopped: '#e4e4e4',
};

/** Row tints for dark mode: the light pastels would leave white text unreadable. */
const DARK_ROW_COLORS: RowColors = {
  success: '#1e3a24',
  warning: '#3d3619',
  error: '#4a2324',
  running: '#1c3148',
  waiting: '#26292c',
  stopped: '#34373a',
};

function rowColors(theme: Theme) {
  const colors = theme.palette.mode === 'dark' ? DARK_ROW_COLORS : LIGHT_ROW_COLORS;
  const row = (attribute: string, value: string) => `tr[data-live-${attribute}="${value}"] > td`;
  return {
    [row('result', 'success')]: { backgroundColor: colors.success },
    [row('result', 'warning')]: { backgroundColor: colors.warning },
    [row('result', 'error')]: { backgroundColor: colors.error },
    [row('result', 'none')]: { backgroundColor: colors.waiting },
    [row('result', 'stopped')]: { backgroundColor: colors.stopped },
    [`${row('state', 'running')}, ${row('state', 'stopping')}`]: {
      backgroundColor: colors.running,
    },
  };
}

/**
 * Styles every page shares. Rows take the colour of their live session, as the original's
 * green/yellow/red rows: the session cell writes `data-live-*` onto its row, so a state change
 * re-renders that one cell, never the table. On a phone, dialogs take the whole width.
 */
export const globalStyles = (
  <GlobalStyles
    styles={(theme: Theme) => ({
      ...rowColors(theme),
      '.minke-proc-info': { color: theme.palette.text.secondary, fontSize: '0.85em' },
      // wide tables scroll inside their card instead of widening the page
      '.RaLayout-content, .RaList-main, .RaList-root': { minWidth: 0 },
      '.RaList-content': { overflowX: 'auto' },
      '.minke-stop': {
        border: `1px solid ${theme.palette.error.main}`,
        color: theme.palette.error.main,
        background: theme.palette.background.paper,
        borderRadius: 4,
        cursor: 'pointer',
        fontSize: 12,
        lineHeight: '16px',
        padding: '0 6px',
      },
      '.minke-stop:disabled': { opacity: 0.5, cursor: 'default' },
      // a dialog on a 390 px phone: the whole width less a small margin, never wider
      '@media (max-width: 600px)': {
        '.MuiDialog-paper': {
          margin: 8,
          width: 'calc(100% - 16px)',
          maxWidth: 'calc(100% - 16px) !important',
        },
      },
    })}
  />
);
