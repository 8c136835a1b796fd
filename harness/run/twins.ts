import { isRealKind } from '../../targets/real/protocol.js';
import { emulatedCounterpart } from '../model/server-kinds.js';
import { DEFAULT_BACKLOG } from '../scenario/schema.js';
import type { TopologySpec } from '../scenario/types.js';

/** The name of a real topology's emulated counterpart. */
export function twinName(name: string): string {
  return `${name} (emulated)`;
}

/**
 * The topologies a run goes through: the scenario's, and with `compareEmulated` each real-server
 * topology followed by its emulated counterpart (same workers, threads, replicas, balancer and
 * load; the emulated kind's own default backlog unless the real one set one; behind haproxy as
 * the real one is), so the fidelity table compares them on one machine minutes apart. Kinds without an emulated counterpart
 * (uvicorn) and topologies given by URL get none. Pure.
 */
export function withEmulatedTwins(
  topologies: readonly TopologySpec[],
  compareEmulated: boolean,
): TopologySpec[] {
  if (!compareEmulated) return [...topologies];
  const out: TopologySpec[] = [];
  for (const t of topologies) {
    out.push(t);
    if (t.url !== undefined || !isRealKind(t.kind)) continue;
    // A uvicorn kind whose handler is written one of the four ways has the emulated async
    // worker as its counterpart, the same handler and thread pool.
    // So does one that streams events: the emulated async worker holds streams as it does.
    // And so does gunicorn with uvicorn workers whose workers live a life of their own
    // (max-requests, start-up work, a scheduled job): the emulated async workers recycle, boot
    // and run the job under the same arbiter as the emulated sync ones.
    const asgi = t.kind === 'uvicorn' || t.kind === 'gunicorn-uvicorn';
    const lives =
      t.kind === 'gunicorn-uvicorn' && (t.lifecycle !== undefined || t.scheduler !== undefined);
    const kind =
      t.asyncWorker !== undefined || (asgi && t.registry !== undefined) || lives
        ? 'async'
        : emulatedCounterpart(t.kind);
    if (kind === null) continue;
    const backlog = t.backlog === DEFAULT_BACKLOG[t.kind] ? DEFAULT_BACKLOG[kind] : t.backlog;
    const twin: TopologySpec = {
      name: twinName(t.name),
      kind,
      declaredKind: kind,
      workers: t.workers,
      threads: kind === 'async' ? 1 : t.threads,
      replicas: t.replicas,
      balancer: t.balancer,
      ...(t.balancerMode === undefined ? {} : { balancerMode: t.balancerMode }),
      workerConnections: t.workerConnections,
      backlog,
      keepAlive: t.keepAlive,
      port: 0,
      twinOf: t.name,
    };
    // Behind the real topology's balancer, haproxy: the emulated balancer relays more slowly,
    // which spreads each replica's connections in time and changes the accept race (see
    // harness/model/README.md), so the comparison would not be of the servers alone.
    if (t.replicas > 1) twin.balancerServer = 'haproxy';
    if (t.repeat !== undefined) twin.repeat = t.repeat;
    // The same worker lives (maxRequests, timeout, preload, appLoadTime, init, loadStarts),
    // which the emulation reproduces.
    if (t.lifecycle !== undefined) twin.lifecycle = t.lifecycle;
    if (kind === 'async' && t.asyncWorker !== undefined) twin.asyncWorker = t.asyncWorker;
    else if (kind === 'async' && t.registry === undefined)
      // The bundled app's /work without a handler is written as its endpoint says: a plain def
      // on the thread pool (threads), or async def.
      twin.asyncWorker = {
        handler: t.endpoint === 'async' ? 'await' : 'def',
        threadPool: t.threads,
      };
    if (t.claimedConcurrency !== undefined) twin.claimedConcurrency = t.claimedConcurrency;
    // The same event stream registry (memory or Redis), which the emulated app implements.
    if (t.registry !== undefined) twin.registry = t.registry;
    // The same scheduled job and election (the emulated app's scheduler, beside APScheduler).
    if (t.scheduler !== undefined) twin.scheduler = t.scheduler;
    out.push(twin);
  }
  return out;
}
