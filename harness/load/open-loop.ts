import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { checkDestination } from './destination.js';
import {
  type ExecutorOptions,
  type ExecutorOutcome,
  InFlightCounter,
  waitUntil,
} from './executor.js';
import { dispatchOptions, type RawRequest, since, timedHandler } from './raw-request.js';

/**
 * The arrival-rate executors (constant-arrival-rate, ramping-arrival-rate, either regular or
 * Poisson): requests leave at the instants of a plan made beforehand, whatever the target is
 * doing, and each is timed from its intended start, so a slow target cannot slow the arrivals
 * down and hide its slowness (coordinated omission).
 *
 * Requests go out over a pool of keep-alive connections that grows as needed up to
 * `maxConnections`; beyond that they wait in the client and are written late, which the
 * lateness histogram and the late count show.
 */
export interface OpenLoopOptions extends ExecutorOptions {
  /** Intended instants in real nanoseconds after the start, non-decreasing, read as needed. */
  arrivals: Iterable<number>;
  /** How many arrivals the plan holds, for progress. */
  expected: number;
  maxConnections: number;
}

export interface OpenLoopOutcome extends ExecutorOutcome {
  meanInFlight: number;
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopOutcome> {
  checkDestination(options.origin, options.allowRemote);
  const { recorder } = options;
  const { part, of } = options.share ?? { part: 0, of: 1 };
  const expected = Math.ceil((options.expected - part) / of);
  const pool = new Pool(options.origin, {
    connections: options.maxConnections,
    pipelining: 1,
    headersTimeout: options.requestTimeoutMs,
    bodyTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.requestTimeoutMs,
    keepAliveTimeoutThreshold: 0,
    connect: { timeout: options.connectTimeoutMs },
  });
  const aborted = (): boolean => options.signal?.aborted === true;
  const destroy = (): void => {
    void pool.destroy().catch(() => {});
  };
  options.signal?.addEventListener('abort', destroy, { once: true });

  const inFlight = new InFlightCounter();
  let settled = 0;
  let sent = 0;
  let sending = true;
  let resolveAll = (): void => {};
  const allSettled = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  const done = (request: RawRequest): void => {
    inFlight.count -= 1;
    settled += 1;
    recorder.record(request);
    options.onSettled?.(settled, Math.max(expected, sent));
    if (!sending && settled === sent) resolveAll();
  };

  const startAtNs = await options.startAt?.();
  if (startAtNs !== undefined) await waitUntil(startAtNs);
  const startNs = startAtNs ?? process.hrtime.bigint();
  recorder.begin(startNs);
  inFlight.start();
  let deadline: NodeJS.Timeout | undefined;
  let meanInFlight = 0;
  try {
    const plan = options.arrivals[Symbol.iterator]();
    let index = 0;
    let upcoming = plan.next();
    while (!upcoming.done && !aborted()) {
      const now = since(startNs);
      while (!upcoming.done && upcoming.value <= now) {
        if (index % of === part) {
          const request: RawRequest = { index, intendedNs: upcoming.value, dispatchedNs: now };
          inFlight.count += 1;
          sent += 1;
          pool.dispatch(
            dispatchOptions(options, index),
            timedHandler(request, startNs, done, aborted, options.request),
          );
        }
        index += 1;
        upcoming = plan.next();
      }
      if (upcoming.done) break;
      const aheadNs = upcoming.value - since(startNs);
      // Timers fire a millisecond late at best: sleep until just before, then turn the loop.
      if (aheadNs > 2e6) await sleep((aheadNs - 1.5e6) / 1e6);
      else await nextTurn();
    }
    // Every request has been sent (or the run was stopped); none may outlive its timeout by
    // more than a margin.
    sending = false;
    deadline = setTimeout(destroy, options.requestTimeoutMs + options.connectTimeoutMs + 1_000);
    if (aborted()) destroy();
    if (settled < sent) await allSettled;
  } finally {
    meanInFlight = inFlight.stop();
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', destroy);
    await pool.close().catch(() => {});
  }
  return {
    startNs,
    sent,
    elapsedNs: since(startNs),
    meanInFlight,
  };
}
