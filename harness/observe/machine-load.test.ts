import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MachineLoadMeter } from './machine-load.js';

test('the meter counts a busy child of the harness as its own CPU, not as other processes', async (t) => {
  if (process.platform !== 'linux') {
    t.skip('reads /proc');
    return;
  }
  const child = spawn(process.execPath, [
    '-e',
    'const end = Date.now() + 10_000; while (Date.now() < end);',
  ]);
  t.after(() => child.kill('SIGKILL'));
  const meter = new MachineLoadMeter();
  await sleep(800);
  const sample = meter.stop();
  assert.ok(sample.seconds >= 0.8, `measured ${sample.seconds} s`);
  assert.ok(sample.busyCoreSeconds !== null && sample.ownCoreSeconds !== null);
  // Alone the child takes a whole core; on a shared machine it gets less, never nothing.
  assert.ok(sample.ownCoreSeconds >= 0.02, `own ${sample.ownCoreSeconds} core-seconds`);
  // /proc/stat counts every process, the child included (ticks are sampled: a little slack).
  assert.ok(sample.busyCoreSeconds >= sample.ownCoreSeconds - 0.05);
  assert.ok(sample.loopDelayMs !== null && sample.loopDelayMs.p99 >= 0);
});
