import { setTimeout as sleep } from 'node:timers/promises';
import type { Work } from '../../targets/protocol.js';
import type { RequestShape } from './raw-request.js';
import type { Recorder } from './recorder.js';
import { type WeightedPaths, weightedPaths } from './request-paths.js';

/**
 * The paths a load sends, as data that worker threads can be given: one fixed path, or the
 * emulated targets' `/work` with each request's service time (real ms; request i takes entry
 * i modulo the list's length).
 */
export type PathSpec =
  | { kind: 'fixed'; path: string }
  | { kind: 'service'; work: Work; serviceMs: readonly number[] }
  | WeightedPaths;

export function pathsFrom(spec: PathSpec): (index: number) => string {
  if (spec.kind === 'fixed') return () => spec.path;
  if (spec.kind === 'weighted') return weightedPaths(spec);
  const paths = spec.serviceMs.map((ms) => `/work?ms=${ms}&work=${spec.work}`);
  return (index) => paths[index % paths.length] as string;
}

/** What every executor is given: where to send, how to time out, where to record. */
export interface ExecutorOptions {
  /** `http://127.0.0.1:port` */
  origin: string;
  /** Hosts beyond loopback the user allowed with --allow-remote; every executor refuses others. */
  allowRemote?: readonly string[];
  /** Path (and query) of request `index`: the service time it asks for travels in it. */
  path: (index: number) => string;
  recorder: Recorder;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  signal?: AbortSignal;
  /** Called after each request ends, successfully or not. */
  onSettled?: (settled: number, total: number) => void;
  /**
   * Called once the executor is set up (a warm burst's connections open), just before its load
   * starts: resolves to the instant (CLOCK_MONOTONIC ns) to start at. Worker threads that share a
   * load all get the same one, agreed once every thread is set up. Absent: start at once.
   */
  startAt?: () => Promise<bigint>;
  /** What requests to a user's app or a URL look like beyond their path; absent: GET. */
  request?: RequestShape;
  /** Run this executor's share only: requests (or users) with index % of === part. */
  share?: { part: number; of: number };
}

/** What every executor returns; the requests themselves are in the recorder. */
export interface ExecutorOutcome {
  /** The instant every request's timeline counts from (CLOCK_MONOTONIC ns). */
  startNs: bigint;
  /** Requests handed to the client. */
  sent: number;
  /** Real nanoseconds from the start until the last request ended. */
  elapsedNs: number;
  /** Time-average number of requests in flight (Little's L). */
  meanInFlight?: number;
}

/** Waits until `atNs` on the monotonic clock: asleep until 2 ms before, then spinning. */
export async function waitUntil(atNs: bigint): Promise<void> {
  const aheadMs = Number(atNs - process.hrtime.bigint()) / 1e6;
  if (aheadMs > 3) await sleep(aheadMs - 2);
  while (process.hrtime.bigint() < atNs) {
    // spin: the last two milliseconds decide the start instant of a burst
  }
}

/** Indices 0..count-1 that belong to this share. */
export function ownIndices(count: number, share: ExecutorOptions['share']): number[] {
  const out: number[] = [];
  const { part, of } = share ?? { part: 0, of: 1 };
  for (let i = part; i < count; i += of) out.push(i);
  return out;
}

/**
 * Counts the requests in flight and integrates the count over time, exactly: each change adds
 * count x (time since the last change). The time average is Little's L, kept by the executor's
 * own accounting (dispatch to settle) apart from the requests' timestamps (write to response),
 * so the law fails when requests are lost or double-counted, or wait in the client before they
 * are written.
 */
export class InFlightCounter {
  private current = 0;
  private area = 0;
  private startedAt = 0n;
  private changedAt = 0n;
  private stoppedAt: bigint | undefined;

  get count(): number {
    return this.current;
  }

  set count(next: number) {
    const now = process.hrtime.bigint();
    this.area += this.current * Number(now - this.changedAt);
    this.changedAt = now;
    this.current = next;
  }

  start(): void {
    this.startedAt = process.hrtime.bigint();
    this.changedAt = this.startedAt;
  }

  /** Stops and returns the time-average count over the span since start(). */
  stop(): number {
    this.stoppedAt ??= process.hrtime.bigint();
    const area = this.area + this.current * Number(this.stoppedAt - this.changedAt);
    const span = Number(this.stoppedAt - this.startedAt);
    return span > 0 ? area / span : 0;
  }
}
