import type { DashboardOutcome } from '@minke/contract';

/** Chart colours by outcome: stopped is grey, never red (a person ended it, it did not fail). */
export const OUTCOME_COLORS: Record<DashboardOutcome, string> = {
  success: '#4caf50',
  warning: '#f0b429',
  error: '#e05252',
  stopped: '#9e9e9e',
  unfinished: '#5c9bd1',
};

/** The history's status filter for an outcome (stopped: stopped sessions; canceled are counted too). */
export const OUTCOME_STATUS: Record<DashboardOutcome, string> = {
  success: 'success',
  warning: 'warning',
  error: 'error',
  stopped: 'stopped',
  unfinished: 'waiting',
};

/** Bar series stacked by outcome, in these colours (dataset rows carry a count per outcome). */
export function outcomeSeries(outcomes: readonly DashboardOutcome[], stack: string) {
  return outcomes.map((outcome) => ({
    id: outcome,
    dataKey: outcome,
    label: outcome,
    stack,
    color: OUTCOME_COLORS[outcome],
  }));
}
