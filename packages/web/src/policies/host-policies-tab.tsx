import { Chip } from '@mui/material';
import type { HostPolicies } from '@minke/contract';
import { useHostQuery } from '../hosts/use-host-query.js';
import { timeAgo } from '../facts/relative-time.js';
import { ApiList } from '../layout/api-list-page.js';
import type { ApiColumn } from '../layout/api-table.js';

type HostPolicy = HostPolicies['items'][number];

const COLUMNS: readonly ApiColumn<HostPolicy>[] = [
  {
    label: 'Policy',
    cell: (item) => item.policy,
    link: (item) => `/policies/${encodeURIComponent(item.policy)}`,
    sortBy: (item) => item.policy,
  },
  {
    label: 'Status',
    cell: (item) => (
      <Chip
        size="small"
        color={item.passing ? 'success' : 'error'}
        label={item.passing ? 'passing' : 'failing'}
      />
    ),
    sortBy: (item) => item.passing,
  },
  { label: 'Since', cell: (item) => <span title={item.since}>{timeAgo(item.since)}</span> },
];

/** The Policies tab of a host's page: every policy that applies to it, failing first. */
export function HostPoliciesTab() {
  const { name, reply: policies } = useHostQuery<HostPolicies>('policies');
  if (name === null) return null;
  return (
    <ApiList
      request={{ loading: !policies.data && !policies.error, error: policies.error }}
      rows={policies.data?.items}
      columns={COLUMNS}
      rowKey={(item) => item.policy}
      rowData={(item) => ({ 'data-policy': item.policy })}
      testId="host-policies"
      empty="No policy applies to this host yet."
    />
  );
}
