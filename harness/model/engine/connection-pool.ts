import { NONE } from './request-slots.js';
import { i32 } from './typed-arrays.js';

/**
 * The idle server connections an HTTP-mode balancer keeps to each replica (haproxy `mode http`
 * with `http-reuse`, Envoy, nginx with upstream keepalive, Node's http.Agent): a request that
 * finds one idle is sent on it, so it goes to the worker that accepted that connection long ago
 * and no accept race takes place; only a request that finds none opens a new connection, which
 * waits in the replica's kernel queue and is raced for like a TCP-mode balancer's (the pool
 * grows). A connection goes back to the pool when its response ends.
 *
 *   request ─► replica r ─► idle connection to worker g? ──yes──► worker g's threads (or queue)
 *                                  └──no──► new connection ─► kernel queue ─► accept race
 *
 * The most recently idled connection is reused first (last in, first out: Node's http.Agent's
 * default `scheduling: 'lifo'`; haproxy takes the connection it last put back too). A
 * connection idle for longer than `keepAlive` has been closed by the server (gunicorn's
 * --keep-alive, uvicorn's --timeout-keep-alive), and so has every connection of a worker that
 * exited or stopped accepting (recycling, a kill): they are dropped when met. Idle connections
 * do not count against a gthread worker's worker_connections here (the model's simplification;
 * gunicorn counts them).
 */
export class ConnectionPool {
  /** Per replica, a stack of idle connections: the worker holding each and when it went idle. */
  private readonly owner: number[][];
  private readonly since: number[][];
  private readonly generationAt: number[][];
  /** Bumped each time a worker goes down: its connections are closed with it. */
  private readonly generation: Int32Array;

  constructor(
    replicas: number,
    workers: number,
    private readonly keepAlive: number,
  ) {
    this.owner = Array.from({ length: replicas }, () => []);
    this.since = Array.from({ length: replicas }, () => []);
    this.generationAt = Array.from({ length: replicas }, () => []);
    this.generation = new Int32Array(replicas * workers);
  }

  /**
   * The worker of replica r whose idle connection a request arriving `now` goes on, taking the
   * connection out of the pool; NONE when none is usable (the request opens a new one).
   * `usable(g)`: worker g is still accepting (not draining, not down).
   */
  take(r: number, now: number, usable: (g: number) => boolean): number {
    const owner = this.owner[r] as number[];
    const since = this.since[r] as number[];
    const generationAt = this.generationAt[r] as number[];
    while (owner.length > 0) {
      const g = owner.pop() as number;
      const idleFrom = since.pop() as number;
      const generation = generationAt.pop() as number;
      // The newest connection is idle the shortest time: if it has expired, so have the rest.
      if (now - idleFrom > this.keepAlive) {
        owner.length = 0;
        since.length = 0;
        generationAt.length = 0;
        return NONE;
      }
      if (generation === i32(this.generation, g) && usable(g)) return g;
    }
    return NONE;
  }

  /** The response on worker g's connection at replica r ended `now`: the connection is idle. */
  release(r: number, g: number, now: number): void {
    (this.owner[r] as number[]).push(g);
    (this.since[r] as number[]).push(now);
    (this.generationAt[r] as number[]).push(i32(this.generation, g));
  }

  /** Worker g exited or was killed: every connection it held is closed. */
  workerGone(g: number): void {
    this.generation[g] = i32(this.generation, g) + 1;
  }

  /** Idle connections at replica r, expired or not (for tests). */
  size(r: number): number {
    return (this.owner[r] as number[]).length;
  }
}
