import type { AcceptRaceServer } from '../model/server-kinds.js';
import type { TopologySpec } from '../scenario/types.js';
import type { Supervisor } from '../supervise/supervisor.js';
import { measureShares } from './measure-shares.js';

/**
 * The race model's transfer sweep: real servers (and the emulated gthread, on the real
 * gthread's shapes, behind the emulated balancer) measured on configurations that differ in
 * every direction the model must carry over (workers, threads, worker_connections, burst size,
 * handler time, replicas behind haproxy), a few bursts each. Each configuration's measured
 * shares, waits and client spread are kept whole, so that the race model can be fitted on some
 * configurations and judged on the others (race-transfer.ts).
 */

export interface SweepConfiguration {
  /** A short stable name, e.g. "gg-3x3-150-300ms". */
  name: string;
  server: AcceptRaceServer;
  workers: number;
  threads: number;
  replicas: number;
  workerConnections: number;
  users: number;
  serviceMs: number;
}

export interface SweepMeasurement extends SweepConfiguration {
  /** Per burst, per replica, the requests each worker served. */
  shares: number[][][];
  /** Per burst, each served request's wait (real seconds). */
  waits: number[][];
  /** Per burst, real ms from the first request written to the last. */
  spreadsMs: number[];
  errors: number;
}

const c = (
  name: string,
  server: AcceptRaceServer,
  workers: number,
  threads: number,
  replicas: number,
  users: number,
  serviceMs: number,
  workerConnections = 1000,
): SweepConfiguration => ({
  name,
  server,
  workers,
  threads,
  replicas,
  workerConnections,
  users,
  serviceMs,
});

/** The configurations measured; the first of each server is its neutral one (calibration.ts). */
export const SWEEP: readonly SweepConfiguration[] = [
  c('gg-3x2-48-100ms', 'gunicorn-gthread', 3, 2, 1, 48, 100),
  c('gg-3x3-150-300ms', 'gunicorn-gthread', 3, 3, 1, 150, 300),
  c('gg-2x4-100-200ms', 'gunicorn-gthread', 2, 4, 1, 100, 200),
  c('gg-4x2-200-100ms', 'gunicorn-gthread', 4, 2, 1, 200, 100),
  c('gg-3x2-wc2-60-100ms', 'gunicorn-gthread', 3, 2, 1, 60, 100, 2),
  c('gg-3x2-r2-96-100ms', 'gunicorn-gthread', 3, 2, 2, 96, 100),
  c('gg-2x2-r3-120-200ms', 'gunicorn-gthread', 2, 2, 3, 120, 200),
  c('uv-3-48-100ms', 'uvicorn', 3, 40, 1, 48, 100),
  c('uv-2-200-300ms', 'uvicorn', 2, 40, 1, 200, 300),
  c('uv-2-r2-120-200ms', 'uvicorn', 2, 40, 2, 120, 200),
  c('gu-3-48-100ms', 'gunicorn-uvicorn', 3, 40, 1, 48, 100),
  c('gu-2-150-200ms', 'gunicorn-uvicorn', 2, 40, 1, 150, 200),
  // The emulated gthread on the real gthread's shapes: how alike the two race.
  c('em-3x2-48-100ms', 'gthread', 3, 2, 1, 48, 100),
  c('em-3x3-150-300ms', 'gthread', 3, 3, 1, 150, 300),
  c('em-2x4-100-200ms', 'gthread', 2, 4, 1, 100, 200),
  c('em-4x2-200-100ms', 'gthread', 4, 2, 1, 200, 100),
  c('em-3x2-r2-96-100ms', 'gthread', 3, 2, 2, 96, 100),
];

function topologyOf(config: SweepConfiguration): TopologySpec {
  const asgi = config.server === 'uvicorn' || config.server === 'gunicorn-uvicorn';
  const spec: TopologySpec = {
    name: `sweep-${config.name}`,
    kind: config.server,
    declaredKind: config.server,
    workers: config.workers,
    threads: config.threads,
    replicas: config.replicas,
    balancer: 'round-robin',
    workerConnections: config.workerConnections,
    backlog: 2048,
    keepAlive: 2,
    port: 0,
  };
  if (asgi) spec.endpoint = 'def';
  return spec;
}

/** Measures each configuration in turn, `bursts` bursts each; stops early when aborted. */
export async function runSweep(options: {
  supervisor: Supervisor;
  configurations: readonly SweepConfiguration[];
  bursts: number;
  signal: AbortSignal;
  onProgress: (text: string) => void;
}): Promise<SweepMeasurement[]> {
  const out: SweepMeasurement[] = [];
  for (const config of options.configurations) {
    if (options.signal.aborted) break;
    options.onProgress(`${config.name}: ${options.bursts} bursts`);
    const measured = await measureShares(topologyOf(config), {
      supervisor: options.supervisor,
      users: config.users,
      bursts: options.bursts,
      serviceMs: config.serviceMs,
      signal: options.signal,
    });
    out.push({
      ...config,
      shares: measured.bursts,
      waits: measured.waits,
      spreadsMs: measured.spreadsMs,
      errors: measured.errors,
    });
  }
  return out;
}
