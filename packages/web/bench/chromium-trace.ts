import { writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';

/**
 * Playwright's default categories (what DevTools' Performance panel records) minus the sampled
 * stacks, which make a trace of a long run hundreds of megabytes and are not needed for tasks
 * and frames; `--profile` records a CPU profile for where the time goes.
 */
const CATEGORIES = [
  '-*',
  'devtools.timeline',
  'v8.execute',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'toplevel',
  'blink.console',
  'blink.user_timing',
  'latencyInfo',
];

/** What a Chromium trace says about the page's main thread and its frames. */
export interface TraceFigures extends FrameCounts {
  /** Tasks the page's main thread ran (RunTask events, outermost only). */
  tasks: number;
  /** Of those, the ones over 50 ms, the longest, and their time beyond 50 ms each, summed. */
  longTasks: number;
  longestTaskMs: number;
  blockingMs: number;
}

/** Frames as the compositor counted them (see `frameCounts`). */
export interface FrameCounts {
  framesDrawn: number;
  framesDropped: number;
  framesPartial: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string; hasPartialUpdate?: boolean };
}

/**
 * Records a Chromium performance trace while `work` runs and returns its figures; writes the
 * trace to `path` when given (open it in DevTools' Performance panel).
 */
export async function traceWhile(
  browser: Browser,
  page: Page,
  work: () => Promise<void>,
  path?: string,
): Promise<TraceFigures> {
  await browser.startTracing(page, { categories: CATEGORIES });
  let trace: Buffer;
  try {
    await work();
  } finally {
    trace = await browser.stopTracing();
  }
  if (path) writeFileSync(path, trace);
  return traceFigures(parseTrace(trace));
}

function parseTrace(trace: Buffer): TraceEvent[] {
  const parsed = JSON.parse(trace.toString('utf8')) as TraceEvent[] | { traceEvents: TraceEvent[] };
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

const TASK_NAMES = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

/** The page's figures: its renderer's main thread is the busiest `CrRendererMain` of the trace. */
export function traceFigures(events: readonly TraceEvent[]): TraceFigures {
  const mainThreads = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const tasksByThread = new Map<string, { ts: number; dur: number }[]>();
  for (const e of events) {
    const thread = `${e.pid}:${e.tid}`;
    if (e.ph !== 'X' || !TASK_NAMES.has(e.name) || !mainThreads.has(thread)) continue;
    const list = tasksByThread.get(thread) ?? [];
    list.push({ ts: e.ts, dur: e.dur ?? 0 });
    tasksByThread.set(thread, list);
  }
  let busiest: { ts: number; dur: number }[] = [];
  let busiestThread = '';
  for (const [thread, list] of tasksByThread) {
    const tasks = outermost(list);
    if (total(tasks) > total(busiest)) {
      busiest = tasks;
      busiestThread = thread;
    }
  }
  const ms = busiest.map((t) => t.dur / 1000);
  const long = ms.filter((d) => d > 50);
  const pid = Number(busiestThread.split(':')[0]);
  return {
    tasks: ms.length,
    longTasks: long.length,
    longestTaskMs: Math.max(0, ...ms),
    blockingMs: long.reduce((sum, d) => sum + d - 50, 0),
    ...frameCounts(events, pid),
  };
}

/** The tasks not nested in another (RunTask sits inside ThreadControllerImpl::RunTask). */
function outermost(tasks: { ts: number; dur: number }[]): { ts: number; dur: number }[] {
  const sorted = [...tasks].sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const out: { ts: number; dur: number }[] = [];
  let end = Number.NEGATIVE_INFINITY;
  for (const task of sorted) {
    if (task.ts < end) continue;
    out.push(task);
    end = task.ts + task.dur;
  }
  return out;
}

const total = (tasks: readonly { dur: number }[]) => tasks.reduce((sum, t) => sum + t.dur, 0);

/**
 * The compositor's own account of the page's frames (what DevTools' Frames track shows), from
 * the renderer whose main thread is measured: frames drawn (`DrawFrame`), frames dropped
 * (`DroppedFrame`) and, among those, frames drawn without the main thread's update for them
 * (`hasPartialUpdate`: the compositor scrolled, the page's new rows came a frame later).
 */
function frameCounts(events: readonly TraceEvent[], pid: number): FrameCounts {
  const counts: FrameCounts = { framesDrawn: 0, framesDropped: 0, framesPartial: 0 };
  for (const e of events) {
    if (e.pid !== pid) continue;
    if (e.name === 'DrawFrame') counts.framesDrawn++;
    else if (e.name === 'DroppedFrame') {
      if (e.args?.hasPartialUpdate) counts.framesPartial++;
      else counts.framesDropped++;
    }
  }
  return counts;
}
