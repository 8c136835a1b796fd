import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runScenarioOk } from '../test-support/spawn-cli.js';

/**
 * Every executor from a scenario file, end to end: the run exits 0, summary.json holds the
 * load's figures and its operational laws hold, requests.ndjson holds what the record mode says.
 */

async function run(t: { after(fn: () => Promise<void>): void }, scenario: object) {
  const { latest, stdout } = await runScenarioOk(t, {
    name: 'x',
    timeScale: 1,
    service: { time: '20ms' },
    ...scenario,
  });
  const summary = JSON.parse(await readFile(join(latest, 'summary.json'), 'utf8'));
  const requests = (await readFile(join(latest, 'requests.ndjson'), 'utf8')).trim();
  return {
    summary,
    lines: requests === '' ? [] : requests.split('\n').map((l) => JSON.parse(l)),
    stdout,
  };
}

const sync2 = [{ name: 'sync-2', kind: 'sync', workers: 2 }];

/** A law's figures agree with each other: its error is (measured - fromRates) / fromRates. */
function assertLawReported(law: {
  measured: number;
  fromRates: number;
  relativeError: number;
  holds: boolean;
  tolerance: number;
}): void {
  assert.ok(law.measured > 0 && law.fromRates > 0, JSON.stringify(law));
  assert.ok(
    Math.abs(law.relativeError - (law.measured - law.fromRates) / law.fromRates) < 1e-9,
    JSON.stringify(law),
  );
  assert.equal(law.holds, Math.abs(law.relativeError) <= law.tolerance, JSON.stringify(law));
}

test('a constant arrival rate is sent on plan, predicted on its own arrivals, and obeys L = λW', async (t) => {
  const { summary, lines, stdout } = await run(t, {
    load: { executor: 'constant-arrival-rate', rate: 40, duration: '1s' },
    topologies: sync2,
  });
  const [topology] = summary.topologies;
  assert.equal(topology.load.executor, 'constant-arrival-rate');
  assert.equal(topology.load.completed, 41); // 40/s for 1 s: at 0, 0.025 s, ..., 1 s
  assert.equal(topology.load.offeredRate, 40);
  // The law as reported rests on its figures; whether it holds within 5% depends on how much of
  // the machine the client got (harness/load/executors.test.ts checks it against the event
  // loop's measured lateness), so here the report must agree with itself.
  assertLawReported(topology.load.littlesLaw);
  assert.equal(topology.predicted.count, 41);
  assert.equal(lines.length, 41);
  // Intended starts are the plan's, 25 ms apart.
  const intended = lines
    .map((r: { intendedStart: number }) => r.intendedStart)
    .sort((a: number, b: number) => a - b);
  assert.ok(Math.abs((intended[1] as number) - (intended[0] as number) - 0.025) < 1e-9);
  assert.match(stdout, /Little's law L = λW: .* \((holds|does not hold)/);
});

test('L = λW counts the requests that failed too: they were in flight until they timed out', async (t) => {
  // One worker, 100 ms per request, one arrival every 25 ms: the queue grows and most requests
  // reach the 150 ms request timeout. They were in flight as long as the completed ones.
  const { summary } = await run(t, {
    load: { executor: 'constant-arrival-rate', rate: 40, duration: '1s' },
    service: { time: '100ms' },
    topologies: [{ name: 'sync-1', kind: 'sync', workers: 1 }],
    limits: { requestTimeout: '150ms' },
  });
  const { load } = summary.topologies[0];
  assert.ok(load.failed >= 10, `failed ${load.failed}`);
  assert.ok(load.completed >= 5, `completed ${load.completed}`);
  // Left out, the failed requests would take their share of L away from λW: an error of about
  // failed / sent. The law counts them when its error stays well inside that, half of it, which
  // a busy machine's timing noise (the 5% of "holds" is for a quiet one) does not reach.
  assertLawReported(load.littlesLaw);
  const omitted = load.failed / (load.failed + load.completed);
  assert.ok(
    Math.abs(load.littlesLaw.relativeError) < omitted / 2,
    `${JSON.stringify(load.littlesLaw)}; leaving out the failed would miss by about ${omitted.toFixed(2)}`,
  );
});

test('Poisson ramps with histograms only keep no records and still measure waits', async (t) => {
  const { summary, lines } = await run(t, {
    load: {
      executor: 'ramping-arrival-rate',
      stages: [{ target: 100, duration: '1s' }],
      arrivals: 'poisson',
      record: 'histograms',
    },
    topologies: sync2,
  });
  const [topology] = summary.topologies;
  assert.equal(lines.length, 0, 'no requests.ndjson lines in histogram mode');
  assert.ok(topology.load.completed > 20);
  assert.equal(topology.measured.count, topology.load.completed);
  assert.ok(topology.measured.p95Wait >= 0);
  assert.equal(topology.requests, topology.load.sent);
});

test('closed users report N, X, R and Z, and N = X(R + Z) holds', async (t) => {
  const { summary, stdout } = await run(t, {
    load: { executor: 'closed-users', users: 4, thinkTime: '30ms', iterations: 10 },
    topologies: sync2,
  });
  const [topology] = summary.topologies;
  const law = topology.load.interactiveLaw;
  assert.equal(topology.load.completed, 40);
  assert.equal(law.users, 4);
  // The law as reported rests on the figures beside it. Whether it holds depends on how much
  // of the machine the client got (a user waiting for the event loop is neither in R nor in Z;
  // harness/load/executors.test.ts checks it against the loop's measured lateness), so here:
  // the figures agree with each other, and N̄ is never below X(R + Z), which only the client's
  // own delays can exceed.
  const fromRates = topology.load.throughput * (law.meanResponse + law.meanThink);
  assert.ok(Math.abs(law.fromRates - fromRates) <= 1e-9 * fromRates, JSON.stringify(law));
  assert.ok(
    Math.abs(law.relativeError - (law.measured - law.fromRates) / law.fromRates) < 1e-9,
    JSON.stringify(law),
  );
  assert.equal(law.holds, Math.abs(law.relativeError) <= law.tolerance);
  assert.ok(law.measured >= law.fromRates * (1 - law.tolerance), JSON.stringify(law));
  // Think time is what the users spent thinking, never shorter than asked; Z spreads it over
  // every request, and each user's last one (4 of 40) is followed by no think: 9 x 30 ms per 10.
  assert.ok(law.meanThink >= (0.03 * 9) / 10, `Z ${law.meanThink}`);
  // Two workers for four users who think 30 ms per 20 ms request: the bound is c/S = 100/s.
  assert.equal(topology.load.predictedThroughputMethod, 'bound');
  assert.ok(topology.load.throughput <= topology.load.predictedThroughput * 1.05);
  assert.equal(topology.predicted.method, 'bound');
  assert.match(stdout, /N = X\(R \+ Z\)/);
});

test('the throughput executor reports requests per second under the model’s bound', async (t) => {
  const { summary } = await run(t, {
    load: { executor: 'throughput', connections: 8, duration: '1s' },
    topologies: [{ name: 'gthread-2x4', kind: 'gthread', workers: 2, threads: 4 }],
  });
  const [topology] = summary.topologies;
  // 8 threads, 20 ms handlers: at most 400 requests a second.
  assert.equal(topology.load.predictedThroughput, 400);
  // The bound holds whatever the machine's load (5% for counting whole requests over a 1 s
  // span); how far below it the run lands depends on how much CPU the client got, so the lower
  // side only asks that requests were served.
  assert.ok(
    topology.load.throughput > 0 && topology.load.throughput <= 420,
    String(topology.load.throughput),
  );
  assert.ok(topology.load.completed > 0);
  // A closed loop over 8 connections: 8 = X(R + the client's own turnaround per request). The
  // turnaround is the client's own time, larger on a busy machine, never negative beyond
  // timer resolution.
  assert.equal(topology.load.littlesLaw, null);
  assert.ok(
    Number.isFinite(topology.load.clientTurnaroundMs) && topology.load.clientTurnaroundMs > -1,
    String(topology.load.clientTurnaroundMs),
  );
});

test('a burst spread over two threads sends each user once', async (t) => {
  const { summary, lines } = await run(t, {
    load: { executor: 'burst', users: 30, threads: 2 },
    topologies: sync2,
  });
  assert.equal(summary.topologies[0].requests, 30);
  assert.deepEqual(
    lines.map((r: { index: number }) => r.index).sort((a: number, b: number) => a - b),
    Array.from({ length: 30 }, (_, i) => i),
  );
});
