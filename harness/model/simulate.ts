import type { BalancerPolicy, ServerKind } from '../../targets/protocol.js';
import { EventHeap } from './event-heap.js';
import type { Random } from './random.js';

/**
 * A discrete-event simulation of one topology: a balancer over replicas, each replica a kernel
 * accept queue shared by its workers, each worker accepting as the server it models does.
 *
 *   arrival ─► balancer ─► replica r: kernel accept queue ─► worker w ─► thread t ─► done
 *                                                      (gthread: per-worker queue ┘)
 *
 * - flask-dev, sync: a worker accepts only when idle, so the kernel queue is one FCFS queue.
 * - gthread: a worker accepts while it holds fewer than workerConnections connections and
 *   queues them for its own threads. Which worker wins each accept is up to the OS scheduler;
 *   the model draws it uniformly among the workers that are accepting.
 *
 * Network and parsing costs are taken as zero. Ties: completions are handled before arrivals at
 * the same instant, and arrivals in index order.
 */

export interface ModelTopology {
  kind: ServerKind;
  workers: number;
  threads: number;
  replicas: number;
  balancer: BalancerPolicy;
  workerConnections: number;
}

export interface SimulationInput {
  topology: ModelTopology;
  /** Arrival instants in seconds, non-decreasing. */
  arrivals: Float64Array;
  /** Service time of each request in seconds. */
  service: Float64Array;
  random: Random;
}

/** Per request, by arrival index: where it was served and when it started and ended (s). */
export interface SimulationResult {
  replica: Int32Array;
  worker: Int32Array;
  thread: Int32Array;
  start: Float64Array;
  end: Float64Array;
}

const NONE = -1;

export function simulate(input: SimulationInput): SimulationResult {
  const { topology, arrivals, service, random } = input;
  const n = arrivals.length;
  const { replicas: R, workers: W, balancer } = topology;
  const T = topology.kind === 'gthread' ? topology.threads : 1;
  const threaded = topology.kind === 'gthread';
  const cap = threaded ? topology.workerConnections : 1;
  const G = R * W;

  const replica = new Int32Array(n).fill(NONE);
  const worker = new Int32Array(n).fill(NONE);
  const thread = new Int32Array(n).fill(NONE);
  const start = new Float64Array(n).fill(Number.NaN);
  const end = new Float64Array(n).fill(Number.NaN);

  // Queues are linked lists through `link`: a request is in at most one queue at a time.
  const link = new Int32Array(n).fill(NONE);
  const kernelHead = new Int32Array(R).fill(NONE);
  const kernelTail = new Int32Array(R).fill(NONE);
  const workerHead = new Int32Array(G).fill(NONE);
  const workerTail = new Int32Array(G).fill(NONE);
  const held = new Int32Array(G); // connections a worker holds (accepted, not finished)
  const freeThreads = new Int32Array(G * T); // per worker, a stack of idle thread ids
  const freeCount = new Int32Array(G).fill(T);
  for (let g = 0; g < G; g++) for (let t = 0; t < T; t++) freeThreads[g * T + t] = T - 1 - t;
  const active = new Int32Array(R); // connections per replica, for least-connections
  const candidates = new Int32Array(W);
  let rrNext = 0;
  const heap = new EventHeap(Math.min(Math.max(n, 16), 1 << 20));

  const pickReplica = (): number => {
    if (R === 1) return 0;
    if (balancer === 'random') return random.int(R);
    if (balancer === 'round-robin') {
      const r = rrNext;
      rrNext = (rrNext + 1) % R;
      return r;
    }
    let best = NONE;
    for (let k = 0; k < R; k++) {
      const r = (rrNext + k) % R;
      if (best === NONE || (active[r] as number) < (active[best] as number)) best = r;
    }
    rrNext = (best + 1) % R;
    return best;
  };

  const begin = (i: number, g: number, now: number): void => {
    const remaining = (freeCount[g] as number) - 1;
    freeCount[g] = remaining;
    const t = freeThreads[g * T + remaining] as number;
    worker[i] = g % W;
    thread[i] = t;
    start[i] = now;
    const done = now + (service[i] as number);
    end[i] = done;
    heap.push(done, i);
  };

  /** Workers of replica r accept from its kernel queue while they may. */
  const acceptAt = (r: number, now: number): void => {
    while (kernelHead[r] !== NONE) {
      let count = 0;
      for (let w = 0; w < W; w++) {
        const g = r * W + w;
        if (threaded ? (held[g] as number) < cap : freeCount[g] === T) candidates[count++] = g;
      }
      if (count === 0) return;
      const g = candidates[count === 1 ? 0 : random.int(count)] as number;
      const i = kernelHead[r] as number;
      kernelHead[r] = link[i] as number;
      if (kernelHead[r] === NONE) kernelTail[r] = NONE;
      link[i] = NONE;
      held[g] = (held[g] as number) + 1;
      if ((freeCount[g] as number) > 0) begin(i, g, now);
      else {
        // Only gthread gets here: the connection waits for one of its worker's threads.
        if (workerTail[g] === NONE) workerHead[g] = i;
        else link[workerTail[g] as number] = i;
        workerTail[g] = i;
        worker[i] = g % W;
      }
    }
  };

  const arrive = (i: number, now: number): void => {
    const r = pickReplica();
    replica[i] = r;
    active[r] = (active[r] as number) + 1;
    if (kernelTail[r] === NONE) kernelHead[r] = i;
    else link[kernelTail[r] as number] = i;
    kernelTail[r] = i;
    acceptAt(r, now);
  };

  const complete = (i: number, now: number): void => {
    const r = replica[i] as number;
    const g = r * W + (worker[i] as number);
    active[r] = (active[r] as number) - 1;
    held[g] = (held[g] as number) - 1;
    const next = workerHead[g] as number;
    if (next !== NONE) {
      workerHead[g] = link[next] as number;
      if (workerHead[g] === NONE) workerTail[g] = NONE;
      link[next] = NONE;
      // The freed thread takes the next queued request at once.
      freeThreads[g * T + (freeCount[g] as number)] = thread[i] as number;
      freeCount[g] = (freeCount[g] as number) + 1;
      begin(next, g, now);
    } else {
      freeThreads[g * T + (freeCount[g] as number)] = thread[i] as number;
      freeCount[g] = (freeCount[g] as number) + 1;
    }
    acceptAt(r, now);
  };

  let a = 0;
  while (a < n || heap.length > 0) {
    const nextCompletion = heap.peekTime();
    if (a < n && (arrivals[a] as number) < nextCompletion) {
      arrive(a, arrivals[a] as number);
      a++;
    } else {
      complete(heap.pop(), nextCompletion);
    }
  }
  return { replica, worker, thread, start, end };
}
