import type { ErrorKind } from '../load/error-kind.js';
import type { RawRequest } from '../load/raw-request.js';
import type { Clock } from '../scenario/clock.js';

/**
 * One line of requests.ndjson: a request's timeline in scenario seconds after the burst's start
 * (null where the instant did not happen or was not reported). Queue time (`wait`) is handler
 * start minus intended start; it splits into `acceptWait`, before the serving process accepted
 * the connection (kernel queue, balancer), and `serverQueue`, queued inside the server.
 */
export interface RequestRecord {
  topology: string;
  index: number;
  intendedStart: number;
  connected: number | null;
  written: number | null;
  accepted: number | null;
  handlerStart: number | null;
  handlerEnd: number | null;
  complete: number | null;
  wait: number | null;
  acceptWait: number | null;
  serverQueue: number | null;
  replica: number | null;
  worker: number | null;
  thread: number | null;
  pid: number | null;
  status: number | null;
  error: ErrorKind | null;
  errorMessage: string | null;
  /** Which of the topology's repeated bursts it belongs to (0 for the first); absent: 0. */
  burst?: number;
  /**
   * Where `wait` comes from when it is not the server's own clock: `estimate` when the target
   * sent no instrumentation (or runs on another machine), so the wait is the latency minus the
   * handler time (Server-Timing `app`, else the scenario's service time). Absent: measured.
   */
  waitSource?: 'estimate';
  /** The app's own count of requests in its process's handlers when this one entered. */
  handlersAtOnce?: number;
  /** A merged run (`merge`): the shard that sent it. Absent in a single run. */
  shard?: number;
}

/**
 * Converts a raw request (client ns after `startNs`, server µs of CLOCK_MONOTONIC) to scenario
 * seconds on the run's clock.
 */
export function toRequestRecord(
  raw: RawRequest,
  topology: string,
  startNs: bigint,
  clock: Clock,
): RequestRecord {
  const fromClient = (ns: number | undefined): number | null =>
    ns === undefined ? null : clock.fromRealNs(ns);
  const fromServer = (us: number | undefined): number | null =>
    us === undefined ? null : clock.fromRealNs(Number(BigInt(Math.round(us)) * 1000n - startNs));
  const intendedStart = clock.fromRealNs(raw.intendedNs);
  const accepted = fromServer(raw.server?.acceptedUs);
  const handlerStart = fromServer(raw.server?.startUs);
  const by = raw.server?.servedBy ?? {};
  return {
    topology,
    index: raw.index,
    intendedStart,
    connected: fromClient(raw.connectedNs),
    written: fromClient(raw.writtenNs),
    accepted,
    handlerStart,
    handlerEnd: fromServer(raw.server?.endUs),
    complete: fromClient(raw.completeNs),
    wait: handlerStart === null ? null : handlerStart - intendedStart,
    acceptWait: accepted === null ? null : accepted - intendedStart,
    serverQueue: accepted === null || handlerStart === null ? null : handlerStart - accepted,
    replica: by.replica ?? null,
    worker: by.worker ?? null,
    thread: by.thread ?? null,
    pid: by.pid ?? null,
    status: raw.status ?? null,
    error: raw.error?.kind ?? null,
    errorMessage: raw.error?.message ?? null,
    ...(raw.server?.handlersAtOnce === undefined
      ? {}
      : { handlersAtOnce: raw.server.handlersAtOnce }),
  };
}

/** Real milliseconds between the first and the last request written; null if none was. */
export function dispatchSpreadMs(requests: readonly RawRequest[]): number | null {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const r of requests) {
    if (r.writtenNs === undefined) continue;
    first = Math.min(first, r.writtenNs);
    last = Math.max(last, r.writtenNs);
  }
  return Number.isFinite(first) ? (last - first) / 1e6 : null;
}
