import type { Dispatcher } from 'undici';
import { parseTimingHeaders, type ServerSide } from '../../targets/instrument.js';
import { classifyError, classifyStatus, type ErrorKind } from './error-kind.js';

/**
 * One request's client-side timeline, in nanoseconds after the load's start (CLOCK_MONOTONIC via
 * process.hrtime, the clock the targets report in X-Server-Clock), and the server's side as its
 * headers reported it.
 *
 *   intended ─► dispatched ─► (connected) ─► written ─► headers ─► complete
 *
 * intended: when the plan meant it to start; dispatched: when the harness handed it to the
 * client; written: when undici began writing it to a socket (onRequestStart, called right
 * before the write); connected: when a new connection for it was established (bursts only).
 */
export interface RawRequest {
  index: number;
  intendedNs: number;
  dispatchedNs?: number;
  connectedNs?: number;
  writtenNs?: number;
  headersNs?: number;
  completeNs?: number;
  /** When a request that got no whole response failed (reset, refused, timed out, stopped). */
  failedNs?: number;
  status?: number;
  error?: { kind: ErrorKind; message: string };
  server?: ServerSide;
  /** Closed users: which user sent it. */
  user?: number;
}

/**
 * What a request to a user's app or a URL looks like beyond its path (the scenario's
 * `request`); absent, every request is a GET with no body and statuses below 400 succeed.
 * Plain data: it crosses into the load's worker threads as it is.
 */
export interface RequestShape {
  method: string;
  headers: Record<string, string>;
  body: string | null;
  /** Inclusive status ranges that count as success; null: every status below 400. */
  success: Array<[number, number]> | null;
}

/** The undici dispatch options of request `index` (the executor adds `origin` where it needs it). */
export function dispatchOptions(
  options: { path: (index: number) => string; request?: RequestShape | undefined },
  index: number,
): Dispatcher.DispatchOptions {
  const shape = options.request;
  if (shape === undefined) return { path: options.path(index), method: 'GET' };
  return {
    path: options.path(index),
    method: shape.method as Dispatcher.HttpMethod,
    headers: shape.headers,
    ...(shape.body === null ? {} : { body: shape.body }),
  };
}

/** The error class of a status under the request's success statuses; null when it succeeded. */
export function statusError(status: number, shape?: RequestShape): ErrorKind | null {
  const success = shape?.success ?? null;
  if (success === null) return classifyStatus(status);
  if (success.some(([low, high]) => status >= low && status <= high)) return null;
  return status >= 500 ? 'http-5xx' : 'http-4xx';
}

/** Nanoseconds since `startNs` on the shared monotonic clock. */
export function since(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs);
}

/**
 * An undici dispatch handler that fills in `request` and calls `done` once, however the request
 * ends. The body is drained and dropped. A status outside `shape`'s success statuses is an error
 * (by default, every status from 400). `aborted` says whether an error is the harness's own
 * stop rather than the target's doing.
 */
export function timedHandler(
  request: RawRequest,
  start: bigint | (() => bigint),
  done: (request: RawRequest) => void,
  aborted: () => boolean,
  shape?: RequestShape,
): Dispatcher.DispatchHandler {
  // A warm burst queues its requests before its instant is known (burst.ts): it passes the
  // instant as a function, read when each timing is taken.
  const elapsed = typeof start === 'bigint' ? () => since(start) : () => since(start());
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    done(request);
  };
  return {
    // undici treats a handler as the new-style interface only when it has onRequestStart, and
    // calls it right before writing the request to its socket.
    onRequestStart() {
      request.writtenNs ??= elapsed();
    },
    onResponseStart(_controller, statusCode, headers) {
      request.headersNs = elapsed();
      request.status = statusCode;
      request.server = parseTimingHeaders(headers);
      const kind = statusError(statusCode, shape);
      if (kind !== null) request.error = { kind, message: `HTTP ${statusCode}` };
    },
    onResponseData() {},
    onResponseEnd() {
      request.completeNs = elapsed();
      finish();
    },
    onResponseError(_controller, error) {
      request.failedNs = elapsed();
      request.error = {
        kind: aborted() ? 'aborted' : classifyError(error),
        message: error.message,
      };
      finish();
    },
  };
}
