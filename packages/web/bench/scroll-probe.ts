import type { Locator, Page } from 'playwright-core';

/** How the frames went while a scroll box was scrolled, from the page's requestAnimationFrame. */
export interface ScrollFigures {
  /** Animation frames seen while scrolling (top to bottom and back). */
  frames: number;
  /** The median time between frames (16.7 ms on a 60 Hz display, which headless Chromium is). */
  medianFrameMs: number;
  /** Frames that came over 1.5 display intervals (16.7 ms) after the one before: a hitch. */
  slowFrames: number;
  /** Display refreshes missed in all: a frame 50 ms after the one before missed 2. */
  droppedFrames: number;
  worstFrameMs: number;
  /** Frames painted with part of the box empty: its rows for that scroll position not yet there. */
  blankFrames: number;
  /** How long the whole scroll took. */
  scrollMs: number;
}

export interface ScrollOptions {
  /** Pixels scrolled per frame. */
  step: number;
  /** What the rows rendered in the box are (each with `data-line`) and how tall each one is. */
  rowSelector: string;
  rowHeight: number;
  /** Stop after this long, wherever the scroll is (a bound, not a figure). */
  timeoutMs: number;
}

/**
 * Lets functions sent to the page have names: a bench run through tsx compiles them with
 * esbuild's keepNames, which calls a `__name` helper the page does not have.
 */
export async function allowNamedFunctions(page: Page): Promise<void> {
  const helper = 'globalThis.__name = globalThis.__name || ((f) => f);';
  await page.addInitScript({ content: helper });
  await page.evaluate(helper);
}

/**
 * Scrolls `box` from the top to the bottom and back, `step` pixels per animation frame, and
 * measures the frames: the delta between frames, and whether the rows for the scroll position
 * are in the DOM when the frame runs. Each step is made in a task after the frame, as input
 * between two frames is: the box's scroll event comes in the next frame, before its animation
 * callbacks and paint, so a view that renders its rows for it at once paints them in that frame;
 * one that renders later paints the frame with rows missing (over the few it keeps beyond
 * each edge).
 */
export async function scrollThrough(box: Locator, options: ScrollOptions): Promise<ScrollFigures> {
  return await box.evaluate(async (el, o) => {
    const deltas: number[] = [];
    let blankFrames = 0;
    const covered = () => {
      const rows = el.querySelectorAll(o.rowSelector);
      const first = Number(rows[0]?.getAttribute('data-line') ?? NaN);
      const last = Number(rows[rows.length - 1]?.getAttribute('data-line') ?? NaN);
      const top = el.scrollTop;
      const bottom = Math.min(top + el.clientHeight, el.scrollHeight);
      return first * o.rowHeight <= top + 1 && (last + 1) * o.rowHeight >= bottom - o.rowHeight;
    };
    el.scrollTop = 0;
    await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => requestAnimationFrame(r));
    const started = performance.now();
    const deadline = started + o.timeoutMs;
    let direction = 1;
    let last = 0;
    await new Promise<void>((done) => {
      const tick = (now: number) => {
        if (last) deltas.push(now - last);
        last = now;
        if (!covered()) blankFrames++;
        if (performance.now() > deadline) return done();
        setTimeout(() => {
          const before = el.scrollTop;
          el.scrollTop = before + direction * o.step;
          if (el.scrollTop === before) {
            if (direction === 1) direction = -1;
            else return done();
          }
          requestAnimationFrame(tick);
        }, 0);
      };
      requestAnimationFrame(tick);
    });
    const scrollMs = performance.now() - started;
    const sorted = [...deltas].sort((a, b) => a - b);
    const intervalMs = 1000 / 60;
    return {
      frames: deltas.length,
      medianFrameMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
      slowFrames: deltas.filter((d) => d > 1.5 * intervalMs).length,
      droppedFrames: deltas.reduce((n, d) => n + Math.max(0, Math.round(d / intervalMs) - 1), 0),
      worstFrameMs: Math.max(0, ...deltas),
      blankFrames,
      scrollMs,
    };
  }, options);
}
