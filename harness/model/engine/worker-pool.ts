import { NONE } from './request-slots.js';
import { f64, i32 } from './typed-arrays.js';

/** A worker process's state: accepting, finishing what it holds before exiting, or gone. */
export const WORKER = { up: 0, draining: 1, down: 2 } as const;

/**
 * The worker processes of every replica, numbered g = replica x W + worker, and their threads,
 * numbered g x T + t: what each holds, which threads are idle, and its life (gunicorn
 * --max-requests: a worker counts requests as their handlers start and drains once it reaches
 * N + uniform{0..J}, drawn anew for each process as gunicorn/workers/base.py does).
 *
 * - sync and flask-dev (one thread): a worker accepts only when its thread is idle.
 * - gthread: a worker accepts while it holds fewer than `workerConnections` connections.
 */
export class WorkerPool {
  /** Connections each worker holds: accepted, not finished. */
  private readonly held: Int32Array;
  /** Per worker, a stack of idle thread ids. */
  private readonly idle: Int32Array;
  private readonly idleCount: Int32Array;
  /** The slot each thread runs, or NONE. */
  private readonly running: Int32Array;
  private readonly state: Uint8Array;
  private readonly served: Float64Array;
  private readonly limit: Float64Array;

  /**
   * `drawLimit` draws a process's request limit (recycling), or is undefined when workers never
   * recycle; it is called here once per worker, in worker order, and again at each restart.
   */
  constructor(
    workers: number,
    private readonly threads: number,
    private readonly threaded: boolean,
    private readonly connections: number,
    private readonly drawLimit: (() => number) | undefined,
  ) {
    const T = threads;
    this.held = new Int32Array(workers);
    this.idle = new Int32Array(workers * T);
    this.idleCount = new Int32Array(workers).fill(T);
    for (let g = 0; g < workers; g++) for (let t = 0; t < T; t++) this.idle[g * T + t] = T - 1 - t;
    this.running = new Int32Array(workers * T).fill(NONE);
    this.state = new Uint8Array(workers);
    this.served = new Float64Array(workers);
    this.limit = new Float64Array(workers).fill(Number.POSITIVE_INFINITY);
    if (drawLimit !== undefined) for (let g = 0; g < workers; g++) this.limit[g] = drawLimit();
  }

  canAccept(g: number): boolean {
    return (
      this.state[g] === WORKER.up &&
      (this.threaded
        ? i32(this.held, g) < this.connections
        : i32(this.idleCount, g) === this.threads)
    );
  }

  hasIdleThread(g: number): boolean {
    return i32(this.idleCount, g) > 0;
  }

  /** Worker g takes a connection. */
  hold(g: number): void {
    this.held[g] = i32(this.held, g) + 1;
  }

  /**
   * An idle thread of worker g starts the request in slot s; returns the thread. Counts the
   * request towards the worker's limit, which may set it draining.
   */
  start(g: number, s: number): number {
    const remaining = i32(this.idleCount, g) - 1;
    this.idleCount[g] = remaining;
    const t = i32(this.idle, g * this.threads + remaining);
    this.running[g * this.threads + t] = s;
    if (this.drawLimit !== undefined) {
      const served = f64(this.served, g) + 1;
      this.served[g] = served;
      if (served >= f64(this.limit, g) && this.state[g] === WORKER.up)
        this.state[g] = WORKER.draining;
    }
    return t;
  }

  /** The slot thread k = g x T + t runs. */
  slotOn(k: number): number {
    return i32(this.running, k);
  }

  /** Worker g's connection on thread t ended: it holds one fewer. The thread is not idle yet. */
  finish(g: number, t: number): void {
    this.held[g] = i32(this.held, g) - 1;
    this.running[g * this.threads + t] = NONE;
  }

  /** Thread t of worker g is idle again. */
  freeThread(g: number, t: number): void {
    const count = i32(this.idleCount, g);
    this.idle[g * this.threads + count] = t;
    this.idleCount[g] = count + 1;
  }

  /** Draining and holding nothing: ready to exit. */
  isDrained(g: number): boolean {
    return this.state[g] === WORKER.draining && this.held[g] === 0;
  }

  /** Accepting (neither draining nor down), whatever it holds. */
  isUp(g: number): boolean {
    return this.state[g] === WORKER.up;
  }

  isDown(g: number): boolean {
    return this.state[g] === WORKER.down;
  }

  down(g: number): void {
    this.state[g] = WORKER.down;
  }

  /** Worker g (a replacement, or a first boot) accepts from now on, with a new limit. */
  up(g: number): void {
    this.state[g] = WORKER.up;
    this.served[g] = 0;
    if (this.drawLimit !== undefined) this.limit[g] = this.drawLimit();
  }
}
