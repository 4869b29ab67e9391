import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** One function's share of the sampled time. */
export interface HotFunction {
  name: string;
  selfMs: number;
}

/**
 * Records a V8 CPU profile of the page (Chrome DevTools Protocol) while `work` runs, writes it
 * to `path` (open it in the browser's DevTools, Performance panel) and returns where the time
 * went, by function, the hottest first. Build the web admin unminified to read the names.
 */
export async function profileWhile(
  page: Page,
  path: string,
  work: () => Promise<void>,
): Promise<HotFunction[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  let profile: Profile | undefined;
  try {
    await work();
  } finally {
    ({ profile } = await cdp.send('Profiler.stop'));
    writeFileSync(path, JSON.stringify(profile));
    await cdp.detach();
  }
  return hotFunctions(profile);
}

/** Self time per function (name and place), from the profile's samples. */
export function hotFunctions(profile: Profile): HotFunction[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byNode.get(samples[i] ?? -1);
    if (!node) continue;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const file = url.split('/').pop() ?? '';
    const name = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}:${columnNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  return [...self].map(([name, selfMs]) => ({ name, selfMs })).sort((a, b) => b.selfMs - a.selfMs);
}
