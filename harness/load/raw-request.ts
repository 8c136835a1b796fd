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

/** Nanoseconds since `startNs` on the shared monotonic clock. */
export function since(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs);
}

/**
 * An undici dispatch handler that fills in `request` and calls `done` once, however the request
 * ends. The body is drained and dropped. `aborted` says whether an error is the harness's own
 * stop rather than the target's doing.
 */
export function timedHandler(
  request: RawRequest,
  startNs: bigint,
  done: (request: RawRequest) => void,
  aborted: () => boolean,
): Dispatcher.DispatchHandler {
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
      request.writtenNs ??= since(startNs);
    },
    onResponseStart(_controller, statusCode, headers) {
      request.headersNs = since(startNs);
      request.status = statusCode;
      request.server = parseTimingHeaders(headers);
      const kind = classifyStatus(statusCode);
      if (kind !== null) request.error = { kind, message: `HTTP ${statusCode}` };
    },
    onResponseData() {},
    onResponseEnd() {
      request.completeNs = since(startNs);
      finish();
    },
    onResponseError(_controller, error) {
      request.failedNs = since(startNs);
      request.error = {
        kind: aborted() ? 'aborted' : classifyError(error),
        message: error.message,
      };
      finish();
    },
  };
}
