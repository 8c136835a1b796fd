import type { ThinkTime } from '../vocabulary.js';
import { type BurstConnections, runBurst } from './burst.js';
import { runClosedUsers } from './closed-users.js';
import type { PathSpec } from './executor.js';
import { pathsFrom } from './executor.js';
import { runOpenLoop } from './open-loop.js';
import type { RequestShape } from './raw-request.js';
import type { Recorder } from './recorder.js';
import { runThroughput, type ThroughputOutcome } from './throughput.js';
import { warmUpBursts } from './warm-up.js';

/**
 * One load, as plain data (it crosses into worker threads as it is). Times are real: the
 * scenario layer has already applied the time scale.
 */
export type LoadTask =
  | { executor: 'burst'; users: number; connections: BurstConnections }
  | {
      executor: 'open-loop';
      /**
       * Each request's intended start, real ns after the load's start: the run plan's arrival
       * instants (the model's too) through its clock, in shared memory for the load threads.
       */
      instantsNs: Float64Array;
      maxConnections: number;
    }
  | {
      executor: 'closed-users';
      users: number;
      thinkNs: number;
      think: ThinkTime;
      iterations?: number;
      durationNs?: number;
      seed: number;
    }
  | { executor: 'throughput'; connections: number; pipelining: number; durationSeconds: number };

export interface LoadContext {
  origin: string;
  paths: PathSpec;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Keep every request's record (else histograms and counts only). */
  keepRequests: boolean;
  signal?: AbortSignal;
  onSettled?: (settled: number, total: number) => void;
  /** Worker threads generating the load (1: this thread). */
  threads: number;
  /** Hosts beyond loopback the user allowed with --allow-remote; none by default. */
  allowRemote?: readonly string[];
  /** What requests to a user's app or a URL look like beyond their path; absent: GET. */
  request?: RequestShape;
  /**
   * This run is one shard of a plan (harness/run/shard.ts): only its share of the requests or
   * users is sent (k mod count = index), threads splitting that share again. Absent: all of it.
   */
  shard?: { index: number; count: number };
  /**
   * Called once the load is set up (a warm burst's connections open): resolves to the
   * monotonic instant (ns) to start at, e.g. a shard's --start-at. Absent: start at once.
   */
  startAt?: () => Promise<bigint>;
}

/** What a load measured, beyond the recorder's requests, histograms and counts. */
export interface LoadResult {
  task: LoadTask;
  recorder: Recorder;
  startNs: bigint;
  sent: number;
  elapsedNs: number;
  /** Open loop: time-average requests in flight (Little's L). */
  meanInFlight?: number;
  /** Closed users: what the interactive response time law needs. */
  closed?: { users: number; thinkTotalNs: number; thinks: number; activeUserNs: number };
  /** Throughput: autocannon's own figures. */
  throughput?: ThroughputOutcome;
}

/** One thread's share of a task: requests (or users) whose index % of === part. */
export interface Share {
  part: number;
  of: number;
}

/** Runs a task in this thread (or its share of it), recording into `recorder`. */
export async function runTaskHere(
  task: LoadTask,
  context: Omit<LoadContext, 'threads'>,
  recorder: Recorder,
  share?: Share,
  startAt?: () => Promise<bigint>,
): Promise<LoadResult> {
  const base = {
    origin: context.origin,
    ...(context.allowRemote === undefined ? {} : { allowRemote: context.allowRemote }),
    path: pathsFrom(context.paths),
    ...(context.request === undefined ? {} : { request: context.request }),
    recorder,
    connectTimeoutMs: context.connectTimeoutMs,
    requestTimeoutMs: context.requestTimeoutMs,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
    ...(context.onSettled === undefined ? {} : { onSettled: context.onSettled }),
    ...(share === undefined ? {} : { share }),
    ...(startAt === undefined ? {} : { startAt }),
  };
  switch (task.executor) {
    case 'burst': {
      await warmUpBursts(task.connections);
      const outcome = await runBurst(task.users, task.connections, base);
      return { task, recorder, ...outcome };
    }
    case 'open-loop': {
      const outcome = await runOpenLoop({
        ...base,
        arrivals: task.instantsNs,
        expected: task.instantsNs.length,
        maxConnections: task.maxConnections,
      });
      return { task, recorder, ...outcome };
    }
    case 'closed-users': {
      const outcome = await runClosedUsers({
        ...base,
        users: task.users,
        thinkNs: task.thinkNs,
        think: task.think,
        seed: task.seed,
        ...(task.iterations === undefined ? {} : { iterations: task.iterations }),
        ...(task.durationNs === undefined ? {} : { durationNs: task.durationNs }),
      });
      const { users, thinkTotalNs, thinks, activeUserNs, ...common } = outcome;
      return { task, recorder, ...common, closed: { users, thinkTotalNs, thinks, activeUserNs } };
    }
    case 'throughput': {
      const outcome = await runThroughput({
        ...base,
        connections: task.connections,
        pipelining: task.pipelining,
        durationSeconds: task.durationSeconds,
        keepRequests: context.keepRequests,
        threads: 1,
      });
      return {
        task,
        recorder,
        startNs: outcome.startNs,
        sent: outcome.sent,
        elapsedNs: outcome.elapsedNs,
        throughput: outcome,
      };
    }
  }
}
