import { NARROW_SCREEN } from './responsive-filters.js';

/**
 * Styles for a Datagrid's `sx` that hide the named columns on a narrow screen (≤ 900 px), so a
 * phone keeps the label and status columns readable instead of scrolling sideways.
 */
export function narrowColumns(sources: readonly string[]): Record<string, unknown> {
  if (sources.length === 0) return {};
  const cells = sources.map((source) => `& .column-${CSS.escape(source)}`).join(', ');
  return {
    [`@media ${NARROW_SCREEN}`]: {
      [cells]: { display: 'none' },
      // the session's name, state and result wrap instead of running off the screen
      '& .RaDatagrid-rowCell.minke-session-cell': { whiteSpace: 'normal' },
      '& .minke-session-cell [style*="inline-flex"]': {
        flexWrap: 'wrap',
        rowGap: '2px',
        whiteSpace: 'normal !important',
      },
    },
  };
}
