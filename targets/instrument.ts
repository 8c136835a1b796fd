/**
 * The instrumentation every target, emulated or real, adds to each response, and its parser.
 * Producer and parser live together so that they cannot drift apart.
 *
 *   Server-Timing: queue;dur=812.402, app;dur=2000.113        (milliseconds, the standard header)
 *   X-Served-By: replica=2; worker=1; thread=0; pid=41233
 *   X-Server-Clock: accepted=5103923112; start=5104735514; end=5106735627
 *
 * X-Server-Clock holds CLOCK_MONOTONIC microseconds (process.hrtime / time.monotonic_ns), which
 * every process on one machine shares, so the harness can place the server's instants on its
 * own timeline. `queue` and `accepted` are absent where a server does not expose its accept time.
 */

export interface ServedBy {
  replica: number;
  worker: number;
  thread: number;
  pid: number;
}

export interface ServerInstants {
  /** When the serving process accepted the connection, if known (ns, CLOCK_MONOTONIC). */
  acceptedNs?: bigint;
  /** When the handler started and ended (ns, CLOCK_MONOTONIC). */
  startNs: bigint;
  endNs: bigint;
}

export interface ServerSide {
  servedBy: Partial<ServedBy>;
  /** Milliseconds queued inside the server (handler start minus accept), if reported. */
  queueMs?: number;
  /** Milliseconds in the handler. */
  appMs?: number;
  /** Instants in microseconds of CLOCK_MONOTONIC, if reported. */
  acceptedUs?: number;
  startUs?: number;
  endUs?: number;
  /**
   * Requests in the serving process's handlers when this one entered, itself included, as the
   * app counted them (X-Handlers-At-Once; the bundled FastAPI app sends it).
   */
  handlersAtOnce?: number;
}

const NS_PER_MS = 1_000_000n;

function msBetween(from: bigint, to: bigint): string {
  const ns = to - from;
  return `${ns / NS_PER_MS}.${String(ns % NS_PER_MS)
    .padStart(6, '0')
    .slice(0, 3)}`;
}

/** The three instrumentation headers for one served request. */
export function timingHeaders(
  instants: ServerInstants,
  servedBy: ServedBy,
): Record<string, string> {
  const { acceptedNs, startNs, endNs } = instants;
  const timing = [`app;dur=${msBetween(startNs, endNs)}`];
  const clock = [`start=${startNs / 1000n}`, `end=${endNs / 1000n}`];
  if (acceptedNs !== undefined) {
    timing.unshift(`queue;dur=${msBetween(acceptedNs, startNs)}`);
    clock.unshift(`accepted=${acceptedNs / 1000n}`);
  }
  return {
    'server-timing': timing.join(', '),
    'x-served-by': `replica=${servedBy.replica}; worker=${servedBy.worker}; thread=${servedBy.thread}; pid=${servedBy.pid}`,
    'x-server-clock': clock.join('; '),
  };
}

function pairs(value: string, separator: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of value.split(separator)) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return out;
}

function finite(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Reads `dur` of each metric in a Server-Timing value (RFC: name *( ";" param ) , ...). */
export function parseServerTiming(value: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const metric of value.split(',')) {
    const [name, ...params] = metric.split(';');
    if (name === undefined || name.trim() === '') continue;
    for (const param of params) {
      const [key, raw] = param.split('=');
      if (key?.trim().toLowerCase() === 'dur') {
        const dur = finite(raw?.trim().replace(/^"|"$/g, ''));
        if (dur !== undefined) out.set(name.trim().toLowerCase(), dur);
      }
    }
  }
  return out;
}

type HeaderValue = string | string[] | undefined;

function header(headers: Record<string, HeaderValue>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The server's side of one request as reported in its headers; absent fields stay absent. */
export function parseTimingHeaders(headers: Record<string, HeaderValue>): ServerSide {
  const side: ServerSide = { servedBy: {} };
  const timing = header(headers, 'server-timing');
  if (timing !== undefined) {
    const metrics = parseServerTiming(timing);
    const queue = metrics.get('queue');
    const app = metrics.get('app');
    if (queue !== undefined) side.queueMs = queue;
    if (app !== undefined) side.appMs = app;
  }
  const servedBy = header(headers, 'x-served-by');
  if (servedBy !== undefined) {
    const fields = pairs(servedBy, ';');
    for (const key of ['replica', 'worker', 'thread', 'pid'] as const) {
      const n = finite(fields.get(key));
      if (n !== undefined) side.servedBy[key] = n;
    }
  }
  const atOnce = finite(header(headers, 'x-handlers-at-once')?.trim());
  if (atOnce !== undefined && atOnce >= 1) side.handlersAtOnce = atOnce;
  const clock = header(headers, 'x-server-clock');
  if (clock !== undefined) {
    const fields = pairs(clock, ';');
    const accepted = finite(fields.get('accepted'));
    const start = finite(fields.get('start'));
    const end = finite(fields.get('end'));
    if (accepted !== undefined) side.acceptedUs = accepted;
    if (start !== undefined) side.startUs = start;
    if (end !== undefined) side.endUs = end;
  }
  return side;
}
