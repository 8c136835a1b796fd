import { setTimeout as delay } from 'node:timers/promises';
import { runBurst } from '../load/burst.js';
import { Recorder } from '../load/recorder.js';
import type { TopologySpec } from '../scenario/types.js';
import { startTargets } from '../supervise/start-targets.js';
import type { Supervisor } from '../supervise/supervisor.js';

/**
 * Measures how a topology's workers share the connections of repeated bursts: starts it, sends
 * `bursts` bursts of `users` new connections one after another (each request's handler sleeps
 * `serviceMs` real milliseconds, long enough that every connection is accepted before the first
 * finishes), and counts, per burst and replica, the requests each worker served. Workers are
 * told apart by the pid in X-Served-By, in the order the target reported them ready, so a worker
 * that served nothing counts as 0.
 */

export interface ShareOptions {
  supervisor: Supervisor;
  users: number;
  bursts: number;
  serviceMs: number;
  /** Real milliseconds between one burst's end and the next, for connections to close. */
  pauseMs?: number;
  signal?: AbortSignal;
  readyTimeoutMs?: number;
}

export interface ShareMeasurement {
  /** Per burst, per replica, the requests each worker served. */
  bursts: number[][][];
  /** Requests that failed, over all bursts. */
  errors: number;
  /**
   * Per burst, each served request's wait in real seconds: the response's first byte minus the
   * burst's start, less the handler's own time (Server-Timing app), so queue and network.
   */
  waits: number[][];
  /** Per burst, real milliseconds from the first request written to the last. */
  spreadsMs: number[];
}

export async function measureShares(
  topology: TopologySpec,
  options: ShareOptions,
): Promise<ShareMeasurement> {
  const { supervisor } = options;
  try {
    const started = await startTargets(topology, {
      supervisor,
      timeScale: 1,
      service: { work: 'sleep', ms: options.serviceMs },
      readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
      requestTimeoutMs: 60_000,
      connections: options.users,
    });
    if (started.external) throw new Error('measureShares needs servers the harness starts');
    const knownPids = started.replicas.map((r) => [...r.workerPids]);
    const out: ShareMeasurement = { bursts: [], errors: 0, waits: [], spreadsMs: [] };
    for (let b = 0; b < options.bursts; b++) {
      if (options.signal?.aborted) break;
      await delay(options.pauseMs ?? 300);
      const recorder = new Recorder({ keepRequests: true });
      const burstOptions = {
        origin: started.origin,
        path: () => `/work?ms=${options.serviceMs}&work=sleep`,
        recorder,
        connectTimeoutMs: 60_000,
        requestTimeoutMs: 60_000,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      };
      await runBurst(options.users, 'new', burstOptions);
      const counts = knownPids.map((pids) => new Array<number>(pids.length).fill(0));
      const waits: number[] = [];
      let firstWritten = Number.POSITIVE_INFINITY;
      let lastWritten = Number.NEGATIVE_INFINITY;
      for (const request of recorder.requests) {
        if (request.writtenNs !== undefined) {
          firstWritten = Math.min(firstWritten, request.writtenNs);
          lastWritten = Math.max(lastWritten, request.writtenNs);
        }
        const app = request.server?.appMs;
        if (request.error === undefined && request.headersNs !== undefined && app !== undefined)
          waits.push(Math.max(0, (request.headersNs - request.intendedNs) / 1e9 - app / 1000));
        const by = request.server?.servedBy;
        if (request.error !== undefined || by?.pid === undefined) {
          out.errors += 1;
          continue;
        }
        const replica = by.replica ?? 0;
        const pids = knownPids[replica];
        const row = counts[replica];
        if (pids === undefined || row === undefined) continue;
        let w = pids.indexOf(by.pid);
        if (w < 0) {
          pids.push(by.pid);
          row.push(0);
          w = pids.length - 1;
        }
        row[w] = (row[w] as number) + 1;
      }
      out.bursts.push(counts);
      out.waits.push(waits);
      out.spreadsMs.push(
        Number.isFinite(firstWritten) ? (lastWritten - firstWritten) / 1e6 : Number.NaN,
      );
    }
    return out;
  } finally {
    await supervisor.stopAll();
  }
}
