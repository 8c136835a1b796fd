import type { RequestRecord } from './request-record.js';

/**
 * The apparatus's costs inside a server, read off the measured records (issue 13). On each
 * worker thread, a request's handler starts either when it arrived (the thread was free: the gap
 * between the request written and its handler starting is the relay, the accept and the
 * parsing, called delivery) or when the thread's previous request ended (it was waiting: the gap
 * is the hand-off, everything the server does between one request's end and the next one's
 * start). The model takes both as zero; a real gunicorn worker's hand-off is about a
 * millisecond (`npm run bench -- hand-off` measures both side by side).
 *
 *   thread:  [── request k ──]·hand-off·[── request k+1 ──]      k+1 written before k ended
 *   thread:        written ·delivery· [── request j ──]           thread free when j arrived
 */
export interface ServerOverheads {
  /** Scenario seconds from one request's end to the next one's start, per waiting request. */
  handOff: number[];
  /** Scenario seconds from written to handler start, per request that found its thread free. */
  delivery: number[];
}

/** Splits each served request's start into hand-off or delivery (scenario seconds, >= 0). */
export function serverOverheads(records: readonly RequestRecord[]): ServerOverheads {
  const threads = new Map<string, RequestRecord[]>();
  for (const r of records) {
    if (r.handlerStart === null || r.handlerEnd === null || r.written === null) continue;
    if (r.replica === null || r.worker === null) continue;
    const key = `${r.replica}/${r.worker}/${r.thread ?? 0}`;
    const list = threads.get(key);
    if (list === undefined) threads.set(key, [r]);
    else list.push(r);
  }
  const handOff: number[] = [];
  const delivery: number[] = [];
  for (const list of threads.values()) {
    list.sort((a, b) => (a.handlerStart as number) - (b.handlerStart as number));
    let previousEnd = Number.NEGATIVE_INFINITY;
    for (const r of list) {
      const start = r.handlerStart as number;
      const written = r.written as number;
      if (written < previousEnd) handOff.push(Math.max(0, start - previousEnd));
      else delivery.push(Math.max(0, start - written));
      previousEnd = r.handlerEnd as number;
    }
  }
  return { handOff, delivery };
}
