import type { FailingHost } from '@minke/contract';
import { LinkList } from './link-list.js';
import { filteredList } from './use-api.js';

/** The hosts with the most sessions ended in error this week; each opens those sessions. */
export function FailingHosts({ hosts, since }: { hosts: readonly FailingHost[]; since: string }) {
  return (
    <LinkList
      items={hosts.map((host) => ({
        key: host.hostName,
        to: filteredList('session-records', { object: host.hostName, status: 'error', since }),
        primary: host.hostName,
        secondary: `${host.failures} failed · last ${new Date(host.lastFailureAt).toLocaleString()}`,
      }))}
      empty="No host failed this week."
      testId="failing-host"
    />
  );
}
