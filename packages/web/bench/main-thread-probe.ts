import type { Page } from 'playwright-core';

/** How the page's main thread fared while some work ran. */
export interface MainThreadFigures {
  /** The longest gap between ticks of a 16 ms timer: what a user waiting for the page feels. */
  longestStallMs: number;
  /** Tasks over 50 ms, as the browser's Long Tasks API reports them. */
  longTasks: number;
  longestTaskMs: number;
  /** The part of all long tasks beyond 50 ms each (Lighthouse's "total blocking time"). */
  blockingMs: number;
}

interface Probe {
  stall: number;
  last: number;
  timer: number;
  tasks: number[];
  observer: PerformanceObserver;
}

/** Watches the main thread of `page` while `work` runs. */
export async function watchMainThread(
  page: Page,
  work: () => Promise<void>,
): Promise<MainThreadFigures> {
  await page.evaluate(() => {
    const probe = { stall: 0, last: performance.now(), tasks: [] } as unknown as Probe;
    probe.timer = window.setInterval(() => {
      const now = performance.now();
      probe.stall = Math.max(probe.stall, now - probe.last);
      probe.last = now;
    }, 16);
    probe.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) probe.tasks.push(entry.duration);
    });
    probe.observer.observe({ type: 'longtask', buffered: false });
    (window as unknown as { minkeProbe: Probe }).minkeProbe = probe;
  });
  await work();
  return await page.evaluate(() => {
    const probe = (window as unknown as { minkeProbe: Probe }).minkeProbe;
    clearInterval(probe.timer);
    probe.observer.disconnect();
    return {
      longestStallMs: probe.stall,
      longTasks: probe.tasks.length,
      longestTaskMs: Math.max(0, ...probe.tasks),
      blockingMs: probe.tasks.reduce((sum, ms) => sum + ms - 50, 0),
    };
  });
}
