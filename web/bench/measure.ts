/** What bench:web measures inside the page (Navigation, Resource and Long Task timing of Chromium). */
import type { Page } from 'playwright-core';

export interface FirstPage {
  /** Navigation start to the first task row in the DOM. */
  renderedMs: number;
  /** The page's own first GET /tasks, request start to response end. */
  apiMs: number;
  /** Script URLs loaded for this view. */
  scripts: string[];
}

export async function measureFirstPage(page: Page, url: string): Promise<FirstPage> {
  await page.goto(url);
  await page.locator('.task-row').first().waitFor({ timeout: 60_000 });
  return page.evaluate(() => {
    const row = performance.getEntriesByName('first-row')[0];
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const listing = resources.find((entry) => new URL(entry.name).pathname === '/tasks');
    return {
      renderedMs: row ? row.startTime : Number.NaN,
      apiMs: listing ? listing.responseEnd - listing.startTime : Number.NaN,
      scripts: resources
        .filter((entry) => entry.initiatorType === 'script' || entry.name.endsWith('.js'))
        .map((entry) => entry.name)
        .filter((name) => name.endsWith('.js')),
    };
  });
}

export interface ScrollResult {
  frameP95Ms: number;
  frameMaxMs: number;
  idleFrameP95Ms: number;
  longTasks: number;
  longestTaskMs: number;
  rowsReached: number;
  pages: number;
  durationMs: number;
}

/** Scrolls the list a screen per frame until row `rows` is on screen, pages loading on the way. */
export async function measureScroll(page: Page, rows: number): Promise<ScrollResult> {
  // tsx names the functions below with an `__name` helper that the page does not have.
  await page.evaluate('window.__name = (fn) => fn');
  return page.evaluate(async (target) => {
    const p95 = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)] ?? 0;
    const frames = async (count: number) => {
      const times: number[] = [];
      let last = performance.now();
      for (let i = 0; i < count; i += 1) {
        await new Promise(requestAnimationFrame);
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      return times;
    };
    const idle = await frames(60);
    const longTasks: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push(entry.duration);
    });
    observer.observe({ type: 'longtask', buffered: false });
    const scroller = document.querySelector('[data-testid="task-scroller"]') as HTMLElement;
    const listingsBefore = performance
      .getEntriesByType('resource')
      .filter((e) => e.name.includes('/tasks?')).length;
    const started = performance.now();
    const frameTimes: number[] = [];
    let last = performance.now();
    let reached = 0;
    while (performance.now() - started < 120_000) {
      scroller.scrollTop += scroller.clientHeight;
      await new Promise(requestAnimationFrame);
      const now = performance.now();
      frameTimes.push(now - last);
      last = now;
      const rowsShown = [...scroller.querySelectorAll('li[aria-posinset]')].map((li) =>
        Number(li.getAttribute('aria-posinset')),
      );
      reached = Math.max(reached, ...rowsShown);
      if (reached >= target) break;
    }
    const durationMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 200));
    observer.disconnect();
    const listingsAfter = performance
      .getEntriesByType('resource')
      .filter((e) => e.name.includes('/tasks?')).length;
    return {
      frameP95Ms: p95(frameTimes),
      frameMaxMs: Math.max(...frameTimes),
      idleFrameP95Ms: p95(idle),
      longTasks: longTasks.length,
      longestTaskMs: Math.max(0, ...longTasks),
      rowsReached: reached,
      pages: listingsAfter - listingsBefore,
      durationMs,
    };
  }, rows);
}
