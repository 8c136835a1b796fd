import type { ModelTopology } from './simulate.js';

/** Threads serving in a topology: W x T per replica for gthread, W for sync and flask-dev. */
export function serversOf(t: ModelTopology): number {
  return t.replicas * t.workers * (t.kind === 'gthread' ? t.threads : 1);
}

/**
 * Servers sharing one first-come-first-served queue in each replica, or undefined when the
 * workers keep queues of their own:
 *
 * - flask-dev and sync workers accept only when idle: the kernel's queue is shared by W servers.
 * - gthread with one worker: its threads take connections in order, min(T, worker_connections).
 * - gthread whose workers accept no more than they have threads (worker_connections <= T): a
 *   worker takes a connection only when it can start it, so again one queue, of W x
 *   worker_connections servers.
 * - otherwise gthread workers accept ahead of their threads and a request can wait in a busy
 *   worker while another idles: no shared queue.
 */
export function sharedServers(t: ModelTopology): number | undefined {
  if (t.kind !== 'gthread') return t.workers;
  if (t.workers === 1) return Math.min(t.threads, t.workerConnections);
  if (t.workerConnections <= t.threads) return t.workers * t.workerConnections;
  return undefined;
}
