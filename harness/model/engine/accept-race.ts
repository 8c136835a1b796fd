import type { Random } from '../random.js';
import { NONE } from './request-slots.js';
import { i32 } from './typed-arrays.js';
import type { WorkerPool } from './worker-pool.js';

/**
 * Which of a replica's accepting workers takes the connection at the head of its kernel queue
 * (harness/model/accept-race.ts has the model and its calibration). A connection that was
 * already waiting (it arrived before this instant, or at the instant of the previous accept
 * there, as a burst's do) goes with probability `stickiness` to the worker that accepted the
 * previous one, if that worker still accepts; otherwise, and always for a connection finding
 * the queue empty, the worker is drawn uniformly among those accepting. Stickiness 0 draws no
 * random number for the stickiness, so the uniform race draws the same numbers it always did.
 */
export class AcceptRace {
  private readonly lastAcceptor: Int32Array;
  private readonly lastAcceptAt: Float64Array;
  private readonly candidates: Int32Array;

  constructor(
    replicas: number,
    private readonly workers: number,
    private readonly stickiness: number,
    private readonly random: Random,
  ) {
    this.lastAcceptor = new Int32Array(replicas).fill(NONE);
    this.lastAcceptAt = new Float64Array(replicas).fill(Number.NaN);
    this.candidates = new Int32Array(workers);
  }

  /**
   * The worker (global number) of replica r that accepts a connection which arrived at
   * `arrival`, at `now`; NONE when no worker of r accepts.
   */
  choose(r: number, pool: WorkerPool, arrival: number, now: number): number {
    const W = this.workers;
    const candidates = this.candidates;
    let count = 0;
    for (let w = 0; w < W; w++) {
      const g = r * W + w;
      if (pool.canAccept(g)) candidates[count++] = g;
    }
    if (count === 0) return NONE;
    const last = i32(this.lastAcceptor, r);
    const g =
      this.stickiness > 0 &&
      count > 1 &&
      last !== NONE &&
      pool.canAccept(last) &&
      (arrival < now || this.lastAcceptAt[r] === now) &&
      this.random.next() < this.stickiness
        ? last
        : i32(candidates, count === 1 ? 0 : this.random.int(count));
    this.lastAcceptor[r] = g;
    this.lastAcceptAt[r] = now;
    return g;
  }
}
