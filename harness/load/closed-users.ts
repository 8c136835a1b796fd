import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import { createRandom } from '../model/random.js';
import type { ThinkTime } from '../vocabulary.js';
import { checkDestination } from './destination.js';
import {
  type ExecutorOptions,
  type ExecutorOutcome,
  InFlightCounter,
  ownIndices,
  waitUntil,
} from './executor.js';
import { dispatchOptions, type RawRequest, since, timedHandler } from './raw-request.js';

/**
 * The closed-users executor: N users, each with its own keep-alive connection, send a request,
 * wait for its response, think, and send the next, for a number of iterations each or until a
 * duration has passed. Throughput is whatever the target lets the users reach, which is how
 * users of a real site behave (and why a closed-loop tool cannot show a queue growing without
 * bound). A request's intended start is the moment its user finished thinking.
 *
 * Users begin at instants spread evenly over one think time, so that they do not all fire at
 * once (a burst is the burst executor's job). The run reports N, throughput X, mean response
 * time R and mean think time Z, and checks the interactive response time law N = X(R + Z).
 */
export interface ClosedUsersOptions extends ExecutorOptions {
  users: number;
  /** Real nanoseconds of think time between a response and the user's next request. */
  thinkNs: number;
  /** Constant think time, or exponentially distributed with that mean. */
  think: ThinkTime;
  /** Requests per user; or run for `durationNs` (the first of the two that is given). */
  iterations?: number;
  durationNs?: number;
  seed: number;
}

export interface ClosedUsersOutcome extends ExecutorOutcome {
  meanInFlight: number;
  users: number;
  /** Think time actually spent between a response and the same user's next request, real ns. */
  thinkTotalNs: number;
  thinks: number;
  /**
   * Sum over users of the time each was in the system (from its first request's intended start
   * to its last response), real ns: divided by the run's length it is the time-average number
   * of users N̄ that the interactive response time law speaks of.
   */
  activeUserNs: number;
}

export async function runClosedUsers(options: ClosedUsersOptions): Promise<ClosedUsersOutcome> {
  checkDestination(options.origin, options.allowRemote);
  const { recorder } = options;
  const users = ownIndices(options.users, options.share);
  const random = createRandom(options.seed + (options.share?.part ?? 0));
  const aborted = (): boolean => options.signal?.aborted === true;
  const clients = users.map(
    () =>
      new Client(options.origin, {
        pipelining: 1,
        headersTimeout: options.requestTimeoutMs,
        bodyTimeout: options.requestTimeoutMs,
        keepAliveTimeout: options.requestTimeoutMs,
        keepAliveTimeoutThreshold: 0,
        connect: { timeout: options.connectTimeoutMs },
      }),
  );
  const destroyAll = (): void => {
    for (const client of clients) void client.destroy().catch(() => {});
  };
  options.signal?.addEventListener('abort', destroyAll, { once: true });
  const startAtNs = await options.startAt?.();
  if (startAtNs !== undefined) await waitUntil(startAtNs);
  const startNs = startAtNs ?? process.hrtime.bigint();
  recorder.begin(startNs);

  let counter = 0;
  let sent = 0;
  let settled = 0;
  let thinkSum = 0;
  let thinks = 0;
  let activeUserNs = 0;
  const inFlight = new InFlightCounter();
  const endNs = options.durationNs;
  const thinkFor = (): number =>
    options.think === 'exponential'
      ? -Math.log(1 - random.next()) * options.thinkNs
      : options.thinkNs;

  const user = async (position: number): Promise<void> => {
    const id = users[position] as number;
    const client = clients[position] as Client;
    // Stagger the start over one think time.
    await sleep((options.thinkNs * id) / Math.max(1, options.users) / 1e6);
    let firstNs: number | undefined;
    let lastNs: number | undefined;
    for (
      let iteration = 0;
      options.iterations === undefined || iteration < options.iterations;
      iteration++
    ) {
      const intendedNs = since(startNs);
      if (aborted() || (endNs !== undefined && intendedNs >= endNs)) break;
      firstNs ??= intendedNs;
      const request: RawRequest = {
        // Unique across threads: this thread's k-th request is k·of + part.
        index: counter++ * (options.share?.of ?? 1) + (options.share?.part ?? 0),
        intendedNs,
        dispatchedNs: intendedNs,
        user: id,
      };
      sent += 1;
      inFlight.count += 1;
      const finished = await new Promise<RawRequest>((resolve) => {
        client.dispatch(
          dispatchOptions(options, request.index),
          timedHandler(request, startNs, resolve, aborted, options.request),
        );
      });
      recorder.record(finished);
      inFlight.count -= 1;
      lastNs = finished.completeNs ?? since(startNs);
      settled += 1;
      options.onSettled?.(
        settled,
        options.iterations === undefined ? sent : options.iterations * users.length,
      );
      if (finished.error?.kind === 'aborted') break;
      const last = options.iterations !== undefined && iteration + 1 >= options.iterations;
      if (last) break;
      const pause = thinkFor();
      const before = since(startNs);
      await sleep(pause / 1e6);
      // libuv times a timer from the loop's cached clock, which a busy loop leaves behind the
      // real one, so the timer can fire early by that much: the user finishes the think time
      // asked for.
      let thought = since(startNs) - before;
      while (thought < pause) {
        await sleep(Math.ceil((pause - thought) / 1e6));
        thought = since(startNs) - before;
      }
      thinkSum += thought;
      thinks += 1;
    }
    if (firstNs !== undefined && lastNs !== undefined) activeUserNs += lastNs - firstNs;
  };

  const deadline =
    endNs === undefined
      ? undefined
      : setTimeout(
          destroyAll,
          endNs / 1e6 + options.requestTimeoutMs + options.connectTimeoutMs + 1_000,
        );
  let meanInFlight = 0;
  inFlight.start();
  try {
    await Promise.all(users.map((_, position) => user(position)));
  } finally {
    meanInFlight = inFlight.stop();
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', destroyAll);
    await Promise.all(clients.map((client) => client.close().catch(() => {})));
  }
  return {
    startNs,
    sent,
    elapsedNs: since(startNs),
    users: users.length,
    thinkTotalNs: thinkSum,
    thinks,
    activeUserNs,
    meanInFlight,
  };
}
