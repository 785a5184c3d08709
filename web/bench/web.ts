/**
 * `npm run bench:web [-- --tasks 1000000]`: the web app over a seeded
 * database, in Chromium, against baselines measured in the same run.
 *   1. First page: navigation to the first row rendered, next to the page's
 *      own GET /tasks (its Resource Timing). Target: <= 1.5 x API + 300 ms.
 *   2. JavaScript of the first view, gzip (zlib level 6). Target: < 200 KB.
 *   3. Scrolling 10,000 rows deep: long tasks (> 50 ms, reported by the
 *      browser) and frame times, next to the frame time of the idle page.
 *      Target: no long task over 100 ms.
 * Writes the results between the markers of docs/performance.md.
 * The data folder (bench/.data/web-<tasks>) is kept: the next run reuses the seed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { startAppServer } from '../test/browser/app-server.ts';
import { launchBrowser, newContext, screenshot, signIn } from '../test/browser/browser.ts';
import { measureFirstPage, measureScroll } from './measure.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const { values } = parseArgs({ options: { tasks: { type: 'string', default: '1000000' } } });
const TASKS = Number(values.tasks);
const DATA_DIR = path.join(ROOT, `bench/.data/web-${TASKS}`);
const SEEDED_MARK = path.join(DATA_DIR, 'seeded');
const PORT = 8052;
const DATABASE_PORT = 55052;
const NAVIGATIONS = 5;
const SCROLL_ROWS = 10_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const line = (pass: boolean, text: string) => `- ${pass ? 'PASS' : 'FAIL'}: ${text}`;

const server = await startAppServer({ port: PORT, databasePort: DATABASE_PORT, dataDir: DATA_DIR });
const browser = await launchBrowser();
try {
  if (!existsSync(SEEDED_MARK)) {
    process.stdout.write(`Seeding ${TASKS} tasks …\n`);
    execFileSync('npm', ['run', 'seed', '--', '--count', String(TASKS)], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, DATA_DIR, EMBEDDED_DATABASE_PORT: String(DATABASE_PORT), PORT: String(PORT) },
    });
    writeFileSync(SEEDED_MARK, `${new Date().toISOString()}\n`);
  }
  const { context } = await newContext(browser, server.url);
  // alice (admin) sees every task: the listing of the whole million.
  const page = await signIn(context, server.url, 'alice');
  const firstPages = [];
  try {
    for (let i = 0; i < NAVIGATIONS; i += 1)
      firstPages.push(await measureFirstPage(page, `${server.url}/app/`));
  } catch (error) {
    await screenshot(page, 'bench-web-failure');
    throw error;
  }
  const rendered = median(firstPages.map((run) => run.renderedMs));
  const api = median(firstPages.map((run) => run.apiMs));
  const budget = 1.5 * api + 300;

  const scripts = firstPages[0]?.scripts ?? [];
  const gzipBytes = scripts.reduce((sum, url) => {
    const file = path.join(ROOT, 'web/dist', new URL(url).pathname.replace(/^\/app\//, ''));
    return sum + gzipSync(readFileSync(file), { level: 6 }).length;
  }, 0);
  const scroll = await measureScroll(page, SCROLL_ROWS);
  await context.close();

  const results = [
    `Run ${new Date().toISOString()} on this shared 2-core machine (other helpers' work running), ${TASKS.toLocaleString('en')} tasks seeded, Chromium headless, 1440x900, signed in as alice (admin: every task).`,
    '',
    '| measure | value | baseline (same run) | ratio |',
    '|---|---|---|---|',
    `| first page rendered (median of ${NAVIGATIONS} navigations) | ${rendered.toFixed(0)} ms | its GET /tasks ${api.toFixed(0)} ms | ${(rendered / api).toFixed(2)}x |`,
    `| JavaScript of the first view, gzip | ${(gzipBytes / 1024).toFixed(1)} KB (${scripts.length} files) | budget 200 KB | ${(gzipBytes / 1024 / 200).toFixed(2)}x |`,
    `| frame time scrolling ${SCROLL_ROWS.toLocaleString('en')} rows (p95 / max) | ${scroll.frameP95Ms.toFixed(1)} / ${scroll.frameMaxMs.toFixed(1)} ms | idle page p95 ${scroll.idleFrameP95Ms.toFixed(1)} ms | ${(scroll.frameP95Ms / scroll.idleFrameP95Ms).toFixed(2)}x |`,
    `| long tasks while scrolling (count / longest) | ${scroll.longTasks} / ${scroll.longestTaskMs.toFixed(0)} ms | ${scroll.pages} pages fetched, ${scroll.rowsReached.toLocaleString('en')} rows reached in ${(scroll.durationMs / 1000).toFixed(1)} s | |`,
    '',
    line(
      rendered <= budget,
      `first page rendered in ${rendered.toFixed(0)} ms <= 1.5 x ${api.toFixed(0)} ms + 300 ms = ${budget.toFixed(0)} ms`,
    ),
    line(
      gzipBytes < 200 * 1024,
      `first view ships ${(gzipBytes / 1024).toFixed(1)} KB of gzip JavaScript < 200 KB`,
    ),
    line(
      scroll.longestTaskMs <= 100 && scroll.rowsReached >= SCROLL_ROWS,
      `no long task over 100 ms while scrolling ${SCROLL_ROWS.toLocaleString('en')} rows deep (longest ${scroll.longestTaskMs.toFixed(0)} ms, reached row ${scroll.rowsReached.toLocaleString('en')})`,
    ),
  ].join('\n');
  process.stdout.write(`${results}\n`);
  const docs = path.join(ROOT, 'docs/performance.md');
  const [before, rest] = readFileSync(docs, 'utf8').split('<!-- bench:web:start -->');
  const after = rest?.split('<!-- bench:web:end -->')[1];
  if (before !== undefined && after !== undefined) {
    writeFileSync(docs, `${before}<!-- bench:web:start -->\n${results}\n<!-- bench:web:end -->${after}`);
  }
} finally {
  await browser.close();
  await server.close();
}
