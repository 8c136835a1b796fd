#!/usr/bin/env node
/**
 * `node dist/harness/calibrate/race-sweep-main.js [--bursts N] [--only name,...] [--out file]`:
 * measures the race model's transfer sweep (race-sweep.ts) on this machine's real servers and
 * writes every burst's shares, waits and spread to reports/race-sweep.json (or --out), for
 * race-transfer-main.js to fit and judge. Loopback only; each configuration is bounded by its
 * bursts and by measureShares' timeouts.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../targets/package-root.js';
import { Supervisor } from '../supervise/supervisor.js';
import { runSweep, SWEEP } from './race-sweep.js';

const args = process.argv.slice(2);
const value = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
};
const bursts = Number(value('--bursts') ?? 5);
const only = value('--only')?.split(',');
const out = value('--out') ?? join(packageRoot(), 'reports', 'race-sweep.json');
const supervisor = new Supervisor();
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => controller.abort(signal));
try {
  const measured = await runSweep({
    supervisor,
    configurations: SWEEP.filter((c) => only === undefined || only.includes(c.name)),
    bursts,
    signal: controller.signal,
    onProgress: (text) => process.stderr.write(`${new Date().toISOString()} ${text}\n`),
  });
  await writeFile(
    out,
    `${JSON.stringify({ measuredAt: new Date().toISOString(), bursts, configurations: measured })}\n`,
  );
  process.stderr.write(`written: ${out}\n`);
} finally {
  await supervisor.stopAll();
}
