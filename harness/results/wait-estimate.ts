import type { RawRequest } from '../load/raw-request.js';
import type { Clock } from '../scenario/clock.js';
import type { RequestRecord } from './request-record.js';

/**
 * Queue time where the server's clock cannot give it: a target given by URL that sends no
 * instrumentation headers, or that runs on another machine (whose X-Server-Clock instants are
 * not on the harness's clock; only durations compare). The wait is then estimated as the
 * latency minus the time in the handler:
 *
 *   wait ≈ (complete - intended start) - handler time
 *
 * where the handler time is Server-Timing's `app` when the server sent it, else the service time
 * the scenario says the handler takes. The estimate also counts the network and the time to
 * send the response, so it runs a little high; records say `waitSource: "estimate"` and the
 * summary and report label it. Pure.
 */
export function estimateWait(
  record: RequestRecord,
  raw: RawRequest,
  options: { serviceSeconds: number; clock: Clock; sharedClock: boolean },
): RequestRecord {
  if (options.sharedClock && record.handlerStart !== null) return record;
  const out: RequestRecord = { ...record, waitSource: 'estimate' };
  if (!options.sharedClock) {
    // Instants from another machine's clock mean nothing here.
    out.accepted = null;
    out.handlerStart = null;
    out.handlerEnd = null;
    out.acceptWait = null;
    out.serverQueue = null;
  }
  if (record.complete === null || record.error !== null) {
    out.wait = null;
    return out;
  }
  const appMs = raw.server?.appMs;
  const handler = appMs === undefined ? options.serviceSeconds : options.clock.fromRealMs(appMs);
  out.wait = Math.max(0, record.complete - record.intendedStart - handler);
  return out;
}

/**
 * Worker numbers for servers that do not number their workers as the harness does: per
 * replica, the index of the serving pid among `knownPids` (the order the launcher reported the
 * workers ready in), new pids numbered after them in the order first seen. Returns new records.
 */
export function numberWorkersByPid(
  records: readonly RequestRecord[],
  knownPids: ReadonlyArray<readonly number[]>,
): RequestRecord[] {
  const pids = new Map<number, number[]>();
  knownPids.forEach((list, replica) => {
    pids.set(replica, [...list]);
  });
  return records.map((r) => {
    if (r.pid === null) return r;
    const replica = r.replica ?? 0;
    const list = pids.get(replica) ?? [];
    pids.set(replica, list);
    let worker = list.indexOf(r.pid);
    if (worker < 0) {
      list.push(r.pid);
      worker = list.length - 1;
    }
    return { ...r, replica, worker };
  });
}
