import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { spawnCli, tempDir, writeScenario } from '../test-support/spawn-cli.js';

/**
 * A report with issue 6's parts in headless Chromium (as browser.test.ts, whose rules it
 * follows: skipped without /usr/bin/chromium unless CI is set): the setups section, the
 * over-time charts and handlers at once all render, with no console error.
 */

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
const skip =
  missing && process.env.CI === undefined
    ? `${CHROMIUM} is missing: apt-get install -y chromium`
    : false;

test('a report of recycling and async workers renders every chart, offline, with no error', {
  skip,
  timeout: 300_000,
}, async (t) => {
  const dir = await tempDir(t);
  const file = await writeScenario(dir, {
    name: 'life',
    timeScale: 0.5,
    load: { executor: 'constant-arrival-rate', rate: 20, duration: '4s' },
    service: { time: '50ms' },
    topologies: [
      { name: 'recycled', kind: 'sync', workers: 2, maxRequests: 15, appLoadTime: '1s' },
      {
        name: 'pool',
        kind: 'async',
        workers: 1,
        handler: 'def',
        threadPool: 2,
        claimedConcurrency: 50,
      },
    ],
    model: { replications: 3 },
  });
  const run = await spawnCli([
    'scenario',
    file,
    '--reports-dir',
    join(dir, 'reports'),
    '--no-progress',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const report = join(dir, 'reports', 'life', 'latest', 'report.html');
  const profile = await mkdtemp(join(tmpdir(), 'harness-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  t.after(async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(pathToFileURL(report).href);
  await page.waitForSelector('html[data-charts="done"]', { timeout: 120_000 });
  const status = (await page.evaluate('window.reportCharts')) as Record<string, string>;
  for (const id of ['over-time', 'handlers-at-once', 't0-over-time', 't1-over-time'])
    assert.equal(status[id], 'rendered', `${id}: ${status[id]}`);
  for (const [id, s] of Object.entries(status)) assert.equal(s, 'rendered', id);
  assert.match((await page.textContent('#setups')) ?? '', /recycled after max-requests/);
  assert.deepEqual(errors, []);
  await page.close();
});
