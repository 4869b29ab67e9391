// The list endpoints at size, one request at a time over keep-alive HTTP on loopback: each case
// is requested `count` times (pages and filter values vary, so no two are alike), after a warm-up.
import { hostName } from './api-seed.js';
import { printSpread, spreadOf, type Spread } from './api-report.js';

export interface ListCase {
  label: string;
  /** The path and query of the i-th request. */
  url: (i: number) => string;
}

const q = (text: string) => encodeURIComponent(text);

/** The endpoints and filters the admin and API clients use, on `hosts` hosts. */
export function listCases(hosts: number): ListCase[] {
  const someHost = (i: number) => hostName((i * 7919) % hosts);
  return [
    {
      label: 'records Service, default order (name), page of 50',
      url: (i) => `/api/records/Service?offset=${(i * 50) % 5000}`,
    },
    {
      label: 'records Service, kind + port, order -port',
      url: (i) =>
        `/api/records/Service?where=${q(`kind = web and port >= ${2000 + i}`)}&order=-port&offset=${(i * 50) % 2000}`,
    },
    {
      label: 'records Service, ref path server.host.name = (one host)',
      url: (i) => `/api/records/Service?where=${q(`server.host.name = ${someHost(i)}`)}`,
    },
    {
      label: 'records Service, ref path server.host.groups.name',
      url: (i) =>
        `/api/records/Service?where=${q(`server.host.groups.name = rack-${i % 20}`)}&offset=${(i * 50) % 2000}`,
    },
    {
      label: 'records Service, fact via host: facts.os-release.ID',
      url: (i) =>
        `/api/records/Service?where=${q(`facts.os-release.ID = ${i % 2 ? 'ubuntu' : 'debian'}`)}&offset=${(i * 50) % 2000}`,
    },
    { label: 'records Service, search', url: (i) => `/api/records/Service?search=svc-${i % 997}` },
    {
      label: 'records Service, lastStatus=error',
      url: (i) => `/api/records/Service?lastStatus=error&offset=${(i * 50) % 500}`,
    },
    {
      label: 'records Server, role = db',
      url: (i) => `/api/records/Server?where=${q('role = db')}&offset=${(i * 50) % 3000}`,
    },
    {
      label: 'records Host, default order, page of 50',
      url: (i) => `/api/records/Host?offset=${(i * 50) % 5000}`,
    },
    { label: 'hosts, page of 50', url: (i) => `/api/hosts?offset=${(i * 50) % 5000}` },
    {
      label: 'hosts, fact filter VERSION_ID >= 12',
      url: (i) =>
        `/api/hosts?where=${q('facts.os-release.VERSION_ID >= 12')}&offset=${(i * 50) % 2000}`,
    },
    {
      label: 'hosts, groups.name = rack-N',
      url: (i) => `/api/hosts?where=${q(`groups.name = rack-${i % 20}`)}`,
    },
    {
      label: 'fact search, facts.os-release.ID = ubuntu',
      url: (i) => `/api/facts?where=${q('facts.os-release.ID = ubuntu')}&offset=${(i * 50) % 2000}`,
    },
    {
      label: 'fact search, facts.packages ~ pkg-N',
      url: (i) => `/api/facts?where=${q(`facts.packages ~ "pkg-${i % 40}"`)}`,
    },
    { label: 'runs, page of 50', url: (i) => `/api/runs?offset=${(i * 50) % 400}` },
    {
      label: 'session records (history), page of 50',
      url: (i) => `/api/session-records?offset=${(i * 50) % 5000}`,
    },
    {
      label: 'session records, status=error',
      url: (i) => `/api/session-records?status=error&offset=${(i * 50) % 2000}`,
    },
    {
      label: 'session records, one host',
      url: (i) => `/api/session-records?object=${someHost(i)}`,
    },
  ];
}

/** Times every case; returns each one's spread (and prints it with the number that match). */
export async function timeLists(
  base: string,
  headers: Record<string, string>,
  cases: readonly ListCase[],
  count: number,
): Promise<Map<string, Spread>> {
  const out = new Map<string, Spread>();
  for (const entry of cases) {
    const first = await fetch(`${base}${entry.url(0)}`, { headers });
    if (!first.ok) throw new Error(`${entry.url(0)}: ${first.status} ${await first.text()}`);
    const total = ((await first.json()) as { total?: number }).total;
    for (let i = 1; i <= Math.min(20, count); i++)
      await (await fetch(`${base}${entry.url(i)}`, { headers })).arrayBuffer();
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const url = `${base}${entry.url(i)}`;
      const start = performance.now();
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      times.push(performance.now() - start);
    }
    const spread = spreadOf(times);
    out.set(entry.label, spread);
    printSpread(`${entry.label} [${total ?? '?'}]`, spread);
  }
  return out;
}
