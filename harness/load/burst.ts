import { channel } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { buildConnector, Client, type Dispatcher } from 'undici';
import { parseTimingHeaders, type ServerSide } from '../../targets/instrument.js';
import { classifyError, classifyStatus, type ErrorKind } from './error-kind.js';

/**
 * The burst executor: N users each open their own connection and send one request at the same
 * instant. One undici Client per user, so no pool limits how many are in flight: all N are
 * dispatched in one synchronous loop and connect in parallel.
 *
 * Each request's client-side instants are taken where they happen: connected in the connector's
 * callback, written when undici publishes `undici:client:sendHeaders` (right before the first
 * byte goes out), headers and complete in the dispatch handler. All are CLOCK_MONOTONIC
 * (process.hrtime), the clock the targets report in X-Server-Clock.
 */

export interface BurstPlan {
  /** `http://127.0.0.1:port` */
  origin: string;
  users: number;
  /** Path (and query) of user i's request. */
  path: (index: number) => string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  signal?: AbortSignal;
  /** Called after each request ends, successfully or not. */
  onSettled?: (settled: number, total: number) => void;
}

/** One request's client-side timeline, in nanoseconds after the burst's start. */
export interface RawRequest {
  index: number;
  intendedNs: number;
  connectedNs?: number;
  writtenNs?: number;
  headersNs?: number;
  completeNs?: number;
  status?: number;
  error?: { kind: ErrorKind; message: string };
  server?: ServerSide;
}

export interface BurstOutcome {
  /** CLOCK_MONOTONIC nanoseconds at the burst's start: every request's intended start. */
  startNs: bigint;
  requests: RawRequest[];
}

const sendHeaders = channel('undici:client:sendHeaders');

export async function runBurst(plan: BurstPlan): Promise<BurstOutcome> {
  const connector = buildConnector({ timeout: plan.connectTimeoutMs });
  const bySocket = new WeakMap<Socket, RawRequest>();
  let startNs = process.hrtime.bigint();
  const since = (): number => Number(process.hrtime.bigint() - startNs);

  const onSendHeaders = (message: unknown): void => {
    const request = bySocket.get((message as { socket: Socket }).socket);
    if (request !== undefined && request.writtenNs === undefined) request.writtenNs = since();
  };

  const requests: RawRequest[] = [];
  const clients: Client[] = [];
  for (let index = 0; index < plan.users; index++) {
    const request: RawRequest = { index, intendedNs: 0 };
    requests.push(request);
    clients.push(
      new Client(plan.origin, {
        pipelining: 1,
        headersTimeout: plan.requestTimeoutMs,
        bodyTimeout: plan.requestTimeoutMs,
        connect: (options, callback) => {
          connector(options, (error, socket) => {
            if (error === null) {
              request.connectedNs = since();
              bySocket.set(socket as Socket, request);
              callback(null, socket);
            } else callback(error, null);
          });
        },
      }),
    );
  }

  let settled = 0;
  let resolveAll = (): void => {};
  const allSettled = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  const settle = (client: Client): void => {
    settled += 1;
    void client.close().catch(() => {});
    plan.onSettled?.(settled, plan.users);
    if (settled === plan.users) resolveAll();
  };

  const abort = (): void => {
    for (const client of clients) void client.destroy().catch(() => {});
  };
  plan.signal?.addEventListener('abort', abort, { once: true });
  // The run's own bound: nothing waits past the request timeout plus a margin for connecting.
  const deadline = setTimeout(abort, plan.requestTimeoutMs + plan.connectTimeoutMs + 1_000);

  sendHeaders.subscribe(onSendHeaders);
  try {
    startNs = process.hrtime.bigint();
    for (let index = 0; index < plan.users; index++) {
      const request = requests[index] as RawRequest;
      const client = clients[index] as Client;
      client.dispatch(
        { origin: plan.origin, path: plan.path(index), method: 'GET' },
        handlerFor(request, client),
      );
    }
    if (plan.signal?.aborted) abort();
    if (plan.users > 0) await allSettled;
  } finally {
    clearTimeout(deadline);
    sendHeaders.unsubscribe(onSendHeaders);
    plan.signal?.removeEventListener('abort', abort);
  }
  return { startNs, requests };

  function handlerFor(request: RawRequest, client: Client): Dispatcher.DispatchHandler {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      settle(client);
    };
    return {
      // undici treats a handler as the new-style interface only when it has onRequestStart.
      onRequestStart() {},
      onResponseStart(_controller, statusCode, headers) {
        request.headersNs = since();
        request.status = statusCode;
        request.server = parseTimingHeaders(headers);
        const kind = classifyStatus(statusCode);
        if (kind !== null) request.error = { kind, message: `HTTP ${statusCode}` };
      },
      onResponseData() {},
      onResponseEnd() {
        request.completeNs = since();
        finish();
      },
      onResponseError(_controller, error) {
        const kind = plan.signal?.aborted ? 'aborted' : classifyError(error);
        request.error = { kind, message: error.message };
        finish();
      },
    };
  }
}
