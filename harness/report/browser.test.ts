import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { spawnCli, tempDir, writeScenario } from '../test-support/spawn-cli.js';

/**
 * The report in a real browser: headless Chromium from Debian's package (`apt-get install -y
 * chromium`; .ci/run installs it), driven by playwright-core. Each test makes a real run, opens
 * its report.html from disk and checks that every chart drew its marks, that the console shows
 * no error and that the page asked for nothing but itself.
 *
 * Without /usr/bin/chromium the tests are skipped on a developer's machine and fail under CI.
 */

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
const skip =
  missing && process.env.CI === undefined
    ? `${CHROMIUM} is missing: apt-get install -y chromium`
    : false;

// The machine's network is closed; without these Chromium keeps trying to reach its services.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function launch(t: { after(fn: () => Promise<void>): void }): Promise<BrowserContext> {
  assert.ok(!missing, `${CHROMIUM} is missing: apt-get install -y chromium`);
  const profile = await mkdtemp(join(tmpdir(), 'harness-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  t.after(async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  });
  return context;
}

interface Opened {
  status: Record<string, string>;
  marks: Record<string, number>;
  errors: string[];
  requests: string[];
}

/** Opens a report and waits until every chart settled; collects console errors and requests. */
async function open(context: BrowserContext, file: string, screenshot?: string): Promise<Opened> {
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('html[data-charts="done"]', { timeout: 120_000 });
  // The page's own scripts run in the browser, so they are passed as text (no DOM types here).
  const status = (await page.evaluate('window.reportCharts')) as Record<string, string>;
  // Vega's SVG renderer puts each item of a data mark under a <g class="... role-mark">; axes,
  // legends and titles have other roles, so this counts what the data drew.
  const marks = (await page.evaluate(`Object.fromEntries(
    [...document.querySelectorAll('[data-chart]')].map((el) => [
      el.getAttribute('data-chart'),
      el.querySelectorAll('svg g.role-mark > *').length,
    ]),
  )`)) as Record<string, number>;
  if (screenshot !== undefined) await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { status, marks, errors, requests };
}

test('a contest-200 report renders every chart in Chromium, offline, with no console error', {
  skip,
  timeout: 600_000,
}, async (t) => {
  const dir = await tempDir(t);
  const reports = join(dir, 'reports');
  const run = await spawnCli([
    'scenario',
    'contest-200',
    '--reports-dir',
    reports,
    '--no-progress',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const report = join(reports, 'contest-200', 'latest', 'report.html');
  const screenshot =
    process.env.REPORT_SCREENSHOT ?? join(tmpdir(), 'capacity-harness-contest-200-report.png');
  const opened = await open(await launch(t), report, screenshot);
  t.diagnostic(`screenshot: ${screenshot}`);

  const ids = Object.keys(opened.status);
  assert.equal(
    ids.length,
    2 + 5 * 4,
    'two run charts and five per topology (four, and the walk from the model to the measurement)',
  );
  for (let i = 0; i < 4; i++) assert.ok(ids.includes(`t${i}-attribution`), `t${i}-attribution`);
  for (const id of ids) {
    assert.equal(opened.status[id], 'rendered', id);
    assert.ok((opened.marks[id] ?? 0) > 0, `${id} drew no marks`);
  }
  for (let i = 0; i < 4; i++) {
    // 200 requests: a queued and a served bar each, and an ECDF point per request and series.
    assert.ok((opened.marks[`t${i}-timeline`] ?? 0) >= 400, `t${i}-timeline`);
    assert.ok((opened.marks[`t${i}-ecdf`] ?? 0) >= 400, `t${i}-ecdf`);
  }
  assert.deepEqual(opened.errors, []);
  assert.deepEqual(
    opened.requests,
    [pathToFileURL(report).href],
    'the page loads nothing but itself',
  );
});

test('markup and script in a scenario show as text in the report and never run', {
  skip,
  timeout: 120_000,
}, async (t) => {
  const dir = await tempDir(t);
  const evil = '<img src=x onerror="window.pwned=1"></script><script>window.pwned=2</script>';
  const file = await writeScenario(dir, {
    name: 'hostile',
    description: `${evil} \u2028 & end`,
    timeScale: 1,
    load: { executor: 'burst', users: 6 },
    service: { time: '20ms' },
    topologies: [{ name: `x${evil}`.slice(0, 80), kind: 'sync', workers: 2 }],
  });
  const run = await spawnCli(['scenario', file, '--reports-dir', join(dir, 'reports')]);
  assert.equal(run.code, 0, run.stderr);
  const report = join(dir, 'reports', 'hostile', 'latest', 'report.html');
  const context = await launch(t);
  const opened = await open(context, report);
  assert.ok(Object.values(opened.status).every((s) => s === 'rendered'));
  assert.deepEqual(opened.errors, []);
  const page = await context.newPage();
  await page.goto(pathToFileURL(report).href);
  await page.waitForSelector('html[data-charts="done"]');
  assert.equal(await page.evaluate('window.pwned'), undefined);
  assert.equal(await page.locator('img').count(), 0);
  assert.match((await page.textContent('header')) ?? '', /<img src=x onerror=/);
  await page.close();
});

test('every string a scenario file controls shows as text in the report and the index, and none runs', {
  skip,
  timeout: 180_000,
}, async (t) => {
  const dir = await tempDir(t);
  // Markup in every string a scenario reaches the page with: the description, topology names
  // (in headings, tables, chart titles and data, the gate's rows and failures), a threshold tag,
  // and the directory the file sits in (the run's source path).
  const img = (n: number) => `<img src=x onerror="window.pwned=${n}">`;
  const script = (n: number) => `</script><script>window.pwned=${n}</script><!--`;
  const names = [`a${img(1)}`, `b${script(2)}`, `c"><svg onload=window.pwned=3>`];
  const home = join(dir, `<svg onload=window.pwned=4>`);
  await mkdir(home);
  const file = await writeScenario(home, {
    name: 'hostile-all',
    description: `${img(5)} ${script(6)} <iframe src="javascript:window.pwned=7"></iframe>`,
    timeScale: 1,
    load: { executor: 'burst', users: 4 },
    service: { time: '20ms' },
    topologies: names.map((name) => ({ name, kind: 'sync', workers: 2 })),
    // A threshold that fails, so that the gate lists the hostile names in its failures.
    thresholds: { [`wait{topology:${names[0]}}`]: ['max<1ms'], errors: ['count==0'] },
  });
  const reports = join(dir, 'reports');
  const run = await spawnCli(['scenario', file, '--reports-dir', reports]);
  assert.equal(run.code, 99, run.stderr);
  const report = join(reports, 'hostile-all', 'latest', 'report.html');
  const context = await launch(t);
  const opened = await open(context, report);
  assert.ok(Object.values(opened.status).every((s) => s === 'rendered'));
  assert.deepEqual(opened.errors, []);
  for (const [url, expectedText] of [
    [pathToFileURL(report).href, names[1]],
    [pathToFileURL(join(reports, 'index.html')).href, 'hostile-all'],
  ] as const) {
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(url);
    if (url.endsWith('report.html')) await page.waitForSelector('html[data-charts="done"]');
    assert.equal(await page.evaluate('window.pwned'), undefined, url);
    assert.equal(await page.locator('img, iframe, svg[onload], [onerror], [onload]').count(), 0);
    assert.deepEqual(dialogs, []);
    assert.ok(((await page.textContent('body')) ?? '').includes(expectedText as string), url);
    await page.close();
  }
  const page = await context.newPage();
  await page.goto(pathToFileURL(report).href);
  await page.waitForSelector('html[data-charts="done"]');
  // Only the page's own five scripts: the specs, three libraries, the boot code.
  assert.equal(await page.locator('script').count(), 5);
  const gate = (await page.textContent('#gate')) ?? '';
  assert.ok(gate.includes(names[0] as string), 'the gate shows the tagged name as text');
  await page.close();
});
