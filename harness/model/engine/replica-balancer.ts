import type { BalancerPolicy } from '../../../targets/protocol.js';
import type { Random } from '../random.js';
import { i32 } from './typed-arrays.js';

/**
 * The balancer in front of the replicas: picks a replica for each new connection and counts
 * the connections each replica holds (for least-connections). Round robin and least-connections
 * scan from the replica after the last one picked, so ties go round, as haproxy's do.
 */
export class ReplicaBalancer {
  private readonly active: Int32Array;
  private next = 0;

  constructor(
    private readonly replicas: number,
    private readonly policy: BalancerPolicy,
    private readonly random: Random,
  ) {
    this.active = new Int32Array(replicas);
  }

  /** The replica the next connection goes to; the caller then calls opened(). */
  pick(): number {
    const R = this.replicas;
    if (R === 1) return 0;
    if (this.policy === 'random') return this.random.int(R);
    if (this.policy === 'round-robin') {
      const r = this.next;
      this.next = r + 1 === R ? 0 : r + 1;
      return r;
    }
    let best = -1;
    for (let k = 0; k < R; k++) {
      const r = (this.next + k) % R;
      if (best === -1 || i32(this.active, r) < i32(this.active, best)) best = r;
    }
    this.next = (best + 1) % R;
    return best;
  }

  opened(r: number): void {
    this.active[r] = i32(this.active, r) + 1;
  }

  closed(r: number): void {
    this.active[r] = i32(this.active, r) - 1;
  }
}
