import { IndexedMinHeap } from '../indexed-heap.js';
import { f64, i32 } from './typed-arrays.js';

/**
 * CPU-bound handlers (work "cpu") sharing the machine's cores: processor sharing at two levels.
 * Worker processes with CPU-bound work in flight share `cores` equally, each getting at most one
 * (CPython's GIL lets one thread of a process run Python at a time), and the requests running
 * in one process share its part equally (the GIL hands over every 5 ms,
 * sys.getswitchinterval()).
 *
 * U is the machine's "virtual time": the CPU each busy process has had, growing at rate
 * min(1, cores / busy processes). Within process g, its V grows by dU / n for n requests running
 * there; a request finishes when V reaches its tag (V at its start plus its service). Keys in
 * `processes` are the U at which each process's next request finishes if nothing changes, so
 * the next CPU completion is one heap peek away. Threads are numbered g x T + t.
 */
export class ProcessorSharing {
  private readonly running: Int32Array;
  private readonly v: Float64Array;
  private readonly u0: Float64Array;
  private readonly tags: Float64Array;
  private readonly processes: IndexedMinHeap;
  private u = 0;
  private clock = 0;
  private busy = 0;
  private rate = 0;

  /** `processes` worker processes of `threads` threads each, on `cores` cores. */
  constructor(
    processes: number,
    private readonly threads: number,
    private readonly cores: number,
  ) {
    this.running = new Int32Array(processes);
    this.v = new Float64Array(processes);
    this.u0 = new Float64Array(processes);
    this.tags = new Float64Array(processes * threads).fill(Number.POSITIVE_INFINITY);
    this.processes = new IndexedMinHeap(processes);
  }

  /** Moves the machine's virtual time on to `now`. */
  advance(now: number): void {
    if (this.busy > 0) this.u += (now - this.clock) * this.rate;
    this.clock = now;
  }

  /** When the next CPU-bound request finishes if nothing changes; Infinity when none runs. */
  nextTime(): number {
    return this.processes.length === 0
      ? Number.POSITIVE_INFINITY
      : this.clock + Math.max(0, this.processes.peekKey() - this.u) / this.rate;
  }

  /** Thread t of process g starts `work` seconds of CPU. */
  add(g: number, t: number, work: number): void {
    this.touch(g);
    this.tags[g * this.threads + t] = f64(this.v, g) + work;
    if (this.running[g] === 0) {
      this.busy++;
      this.setRate();
    }
    this.running[g] = i32(this.running, g) + 1;
    this.rekey(g);
  }

  /** Thread t of process g stops (its request finished or was killed). */
  remove(g: number, t: number): void {
    this.touch(g);
    this.tags[g * this.threads + t] = Number.POSITIVE_INFINITY;
    this.running[g] = i32(this.running, g) - 1;
    if (this.running[g] === 0) {
      this.busy--;
      this.setRate();
    }
    this.rekey(g);
  }

  /**
   * Removes the request due at nextTime() and returns its thread, g x T + t. Its process's V is
   * snapped to its tag: the request has had exactly its service.
   */
  finishNext(): number {
    const g = this.processes.peek();
    const T = this.threads;
    let t = 0;
    let min = Number.POSITIVE_INFINITY;
    for (let k = 0; k < T; k++) {
      const tag = f64(this.tags, g * T + k);
      if (tag < min) {
        min = tag;
        t = k;
      }
    }
    this.touch(g);
    this.v[g] = min;
    this.remove(g, t);
    return g * T + t;
  }

  private touch(g: number): void {
    const n = i32(this.running, g);
    if (n > 0) this.v[g] = f64(this.v, g) + (this.u - f64(this.u0, g)) / n;
    this.u0[g] = this.u;
  }

  private rekey(g: number): void {
    const n = i32(this.running, g);
    if (n === 0) {
      this.processes.remove(g);
      return;
    }
    const T = this.threads;
    let min = Number.POSITIVE_INFINITY;
    for (let k = g * T; k < g * T + T; k++) {
      const tag = f64(this.tags, k);
      if (tag < min) min = tag;
    }
    this.processes.set(g, this.u + (min - f64(this.v, g)) * n);
  }

  private setRate(): void {
    this.rate = this.busy === 0 ? 0 : Math.min(1, this.cores / this.busy);
  }
}
