import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fanoutFigures } from '../results/fanout-figures.js';
import { type JobRecord, jobsFigures } from '../results/jobs-figures.js';
import { topologySummary } from '../test-support/gate-fixtures.js';
import { evaluateThresholds, type GateTopology } from './evaluate.js';
import { parseThreshold, type Threshold } from './threshold.js';

function threshold(key: string, condition: string): Threshold {
  const result = parseThreshold(key, condition);
  assert.ok(result.ok, !result.ok ? result.message : '');
  return result.value;
}

const run = (slot: number, pid: number): JobRecord => ({
  topology: 'jobs',
  type: 'run',
  at: slot,
  slot,
  replica: 0,
  worker: pid,
  pid,
});

/** Slots 0, 10, 20, 30: runs 2, 1, 0, 1; the leader (pid 1) killed at 12, pid 2 runs 30. */
function topologies(): GateTopology[] {
  const jobs = topologySummary('jobs', [0]);
  jobs.jobs = jobsFigures({
    records: [run(0, 1), run(0, 3), run(10, 1), run(30, 2)],
    jobs: { interval: 10, duration: 40, killLeaderAt: 12 },
    scheduler: { election: 'lease', lease: 15, renew: 5, retry: 1 },
    workers: 3,
    replicas: 1,
    firstSlot: 0,
    kill: { at: 12, pid: 1, replica: 0, worker: 1 },
    note: null,
  });
  const fanout = topologySummary('fanout', [0]);
  // Two clients; event 1 reaches both (latencies 1 and 3 ms), event 2 one (2 ms).
  fanout.fanout = fanoutFigures({
    topology: 'fanout',
    registry: 'memory',
    workers: 1,
    replicas: 1,
    clients: [
      { replica: 0, worker: 0, failure: null },
      { replica: 0, worker: 0, failure: null },
    ],
    events: [
      { id: 1, publisher: { replica: 0, worker: 0 }, published: 0, publishedUs: 0, error: null },
      { id: 2, publisher: { replica: 0, worker: 0 }, published: 1, publishedUs: 0, error: null },
    ],
    receipts: [
      { client: 0, event: 1, receivedUs: 1_000, received: 0 },
      { client: 1, event: 1, receivedUs: 3_000, received: 0 },
      { client: 0, event: 2, receivedUs: 2_000, received: 1 },
    ],
  }).figures;
  return [jobs, fanout].map((summary) => ({ summary, waits: [0] }));
}

const observed = (key: string, condition: string) =>
  evaluateThresholds([threshold(key, condition)], topologies()).map((r) => [
    r.topology,
    r.observed,
    r.status,
  ]);

test("job_runs and job_gap read the scheduled job's slots and the takeover", () => {
  assert.deepEqual(observed('job_runs{topology:jobs}', 'max<=1'), [['jobs', 2, 'fail']]);
  assert.deepEqual(observed('job_runs{topology:jobs}', 'min>=1'), [['jobs', 0, 'fail']]);
  assert.deepEqual(observed('job_gap{topology:jobs}', 'value<25s'), [['jobs', 20, 'pass']]);
  // A topology without the job fails the check, with the reason.
  const [none] = evaluateThresholds(
    [threshold('job_runs{topology:fanout}', 'max<=1')],
    topologies(),
  );
  assert.equal(none?.status, 'fail');
  assert.match(none?.note ?? '', /no slot of a scheduled job/);
});

test("event_reach and event_latency read the fan-out's shares and latencies", () => {
  assert.deepEqual(observed('event_reach{topology:fanout}', 'min>=100%'), [
    ['fanout', 0.5, 'fail'],
  ]);
  assert.deepEqual(observed('event_reach{topology:fanout}', 'mean>0.7'), [
    ['fanout', 0.75, 'pass'],
  ]);
  assert.deepEqual(observed('event_latency{topology:fanout}', 'max<5ms'), [['fanout', 3, 'pass']]);
  assert.deepEqual(observed('event_latency{topology:fanout}', 'p(50)<5'), [['fanout', 2, 'pass']]);
  const [p90] = evaluateThresholds(
    [threshold('event_latency{topology:fanout}', 'p(90)<5ms')],
    topologies(),
  );
  assert.equal(p90?.status, 'fail');
  assert.match(p90?.note ?? '', /keeps the mean, p\(50\), p\(95\), p\(99\) and max/);
});

test('the app metrics take only their aggregates and units', () => {
  for (const [key, condition] of [
    ['job_runs', 'p(95)<1'],
    ['job_runs', 'max<1.5'],
    ['job_gap', 'max<50%'],
    ['event_reach', 'min>=1s'],
    ['event_latency', 'rate<1'],
  ] as const)
    assert.equal(parseThreshold(key, condition).ok, false, `${key} ${condition}`);
});
