import type { Random } from '../random.js';
import type { RaceMechanism } from '../simulate.js';
import { NONE } from './request-slots.js';
import { f64, i32 } from './typed-arrays.js';
import type { WorkerPool } from './worker-pool.js';

/**
 * Which of a replica's accepting workers takes the connection at the head of its kernel queue
 * (harness/model/accept-race.ts has the model and its calibration). A connection that was
 * already waiting (it arrived before this instant, or at the instant of the previous accept
 * there, as a burst's do) goes with probability `stickiness` to the worker that accepted the
 * previous one, if that worker still accepts; otherwise, and always for a connection finding
 * the queue empty, the worker is drawn uniformly among those accepting. Stickiness 0 draws no
 * random number for the stickiness, so the uniform race draws the same numbers it always did.
 * A connection arriving at or before `burstUntil` is one burst's and counts as waiting too
 * (WorkerBehaviour.burstUntil: a burst given at its measured instants rather than at one).
 *
 * With a race mechanism (race-mechanism.ts) the probability that the last acceptor wins is not
 * one number but follows from the mechanism for each connection: the real time g between its
 * arrival and the previous one at this replica (connections that the model lets arrive at the
 * same instant, a burst's, are in reality `spacing` apart at the client and R x spacing apart
 * at each of R replicas), and the m other workers that could accept:
 *
 *   P(last acceptor wins) = exp(-g / returnTime) x wakeTime / (wakeTime + m x returnTime)
 *
 * (it is back at accept before the connection arrives with probability 1 - exp(-g/returnTime),
 * and then asleep like its siblings: a uniform race; otherwise it races the first of m sleeping
 * siblings woken by the arrival, exponential times all).
 */
export class AcceptRace {
  private readonly lastAcceptor: Int32Array;
  private readonly lastAcceptAt: Float64Array;
  private readonly candidates: Int32Array;
  /** Mechanism only: the arrival instant of the connection each replica accepted last. */
  private readonly lastArrival: Float64Array;
  /** Mechanism only: real seconds between a burst's connections at one replica. */
  private readonly burstGap: number;

  constructor(
    replicas: number,
    private readonly workers: number,
    private readonly stickiness: number,
    private readonly random: Random,
    private readonly mechanism?: RaceMechanism,
    private readonly burstUntil = Number.NEGATIVE_INFINITY,
  ) {
    this.lastAcceptor = new Int32Array(replicas).fill(NONE);
    this.lastAcceptAt = new Float64Array(replicas).fill(Number.NaN);
    this.candidates = new Int32Array(workers);
    this.lastArrival = new Float64Array(mechanism === undefined ? 0 : replicas).fill(Number.NaN);
    this.burstGap = mechanism === undefined ? 0 : mechanism.spacing * replicas;
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
    const mechanism = this.mechanism;
    if (mechanism !== undefined)
      return this.chooseByMechanism(mechanism, r, pool, arrival, now, count);
    const g =
      this.stickiness > 0 &&
      count > 1 &&
      last !== NONE &&
      pool.canAccept(last) &&
      (arrival < now || this.lastAcceptAt[r] === now || arrival <= this.burstUntil) &&
      this.random.next() < this.stickiness
        ? last
        : i32(candidates, count === 1 ? 0 : this.random.int(count));
    this.lastAcceptor[r] = g;
    this.lastAcceptAt[r] = now;
    return g;
  }

  private chooseByMechanism(
    m: RaceMechanism,
    r: number,
    pool: WorkerPool,
    arrival: number,
    now: number,
    count: number,
  ): number {
    const last = i32(this.lastAcceptor, r);
    const previous = f64(this.lastArrival, r);
    let g = Number.POSITIVE_INFINITY;
    if (!Number.isNaN(previous)) {
      const gap = (arrival - previous) * m.timeScale;
      g = gap > 0 ? gap : this.burstGap;
    }
    const stay =
      count > 1 && last !== NONE && pool.canAccept(last)
        ? Math.exp(-g / m.returnTime) * (m.wakeTime / (m.wakeTime + (count - 1) * m.returnTime))
        : 0;
    const g2 =
      stay > 0 && this.random.next() < stay
        ? last
        : i32(this.candidates, count === 1 ? 0 : this.random.int(count));
    this.lastAcceptor[r] = g2;
    this.lastAcceptAt[r] = now;
    this.lastArrival[r] = arrival;
    return g2;
  }
}
