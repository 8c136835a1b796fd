import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HandlersAtOnce } from '../results/lifecycle-summary.js';
import type { RunSummary, TopologySummary } from '../results/summary.js';
import { setupFindings } from './setup-findings.js';

/** The findings' sentences on requests in handlers at once: the app's count, the burst's spread. */

const topology = (name: string, h: HandlersAtOnce, spreadMs: number): TopologySummary =>
  ({
    name,
    kind: 'uvicorn',
    asyncWorker: { handler: 'await', threadPool: 40 },
    handlersAtOnce: h,
    dispatchSpreadMs: spreadMs,
    measured: { count: 0 },
    predicted: { makespan: Number.NaN },
  }) as unknown as TopologySummary;

const summary = (topologies: TopologySummary[]): RunSummary =>
  ({ timeScale: 0.02, service: { time: 1 }, topologies }) as unknown as RunSummary;

test("the app's own count is said, and a burst slower to send than a handler is named", () => {
  const [awaiting, blocking] = setupFindings(
    summary([
      topology(
        'await',
        {
          measured: 118,
          predicted: 200,
          modelLimit: 200_000,
          claimed: 200,
          appCounted: {
            total: 151,
            perProcess: [
              { replica: 0, pid: 1, most: 118 },
              { replica: 0, pid: 2, most: 33 },
            ],
          },
        },
        804,
      ),
      topology('blocking', { measured: 2, predicted: 2, modelLimit: 2, claimed: 200 }, 804),
    ]),
  );
  const text = awaiting?.sentences.join(' ') ?? '';
  assert.match(
    text,
    /The app's own counter: at most 151 in handlers, .* 2 worker processes .*\(118, 33\)/,
  );
  assert.match(text, /The burst took 804 ms real to send, longer than one handler's 20 ms real/);
  // Blocking handlers hold the count to 2 whatever the burst: the spread is not the reason.
  assert.doesNotMatch(blocking?.sentences.join(' ') ?? '', /The burst took/);
});
