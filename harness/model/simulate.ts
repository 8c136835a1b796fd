import type { BalancerPolicy, ServerKind, Work } from '../../targets/protocol.js';
import { EventHeap } from './event-heap.js';
import { IndexedMinHeap } from './indexed-heap.js';
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
 *   queues them for its own threads. Which worker wins each accept is up to the OS scheduler.
 *   The accept race (accept-race.ts): a connection that was already waiting in the kernel queue
 *   (it arrived before this instant, or at the instant of the previous accept there, as a
 *   burst's do) goes with probability `stickiness` to the worker that accepted the previous one,
 *   if that worker still accepts; otherwise, and always for a connection finding the queue
 *   empty, the worker is drawn uniformly among those accepting. Stickiness 0 is the uniform
 *   race and draws exactly the same random numbers as the model did before it existed.
 * - work "cpu": a handler needs its service time of CPU. Worker processes with CPU-bound work in
 *   flight share `cores` cores equally, each getting at most one (CPython's GIL lets one thread
 *   of a process run Python at a time), and the requests running in one process share its share
 *   equally (the GIL hands over every 5 ms, sys.getswitchinterval()): processor sharing at two
 *   levels. Work "sleep" uses no core.
 * - recycling (gunicorn --max-requests N, --max-requests-jitter J): a worker counts requests as
 *   their handlers start and, on reaching N + uniform{0..J} (drawn anew for each process, as
 *   gunicorn/workers/base.py does with randint), stops accepting, finishes what it holds, exits,
 *   and its replacement accepts `restartTime` seconds later.
 * - timeout (gunicorn --timeout for sync workers): a request still running `timeout` seconds
 *   after its handler started fails, its worker is killed and replaced after `restartTime`.
 *   Only for workers that hold one connection at a time (sync, flask-dev): gthread's --timeout
 *   is a liveness check of the main loop, which a busy thread does not trip.
 *
 * Network and parsing costs are taken as zero, and the kernel's accept queue as unbounded. Ties:
 * events due at the same instant run completions, timeouts and restarts first, then CPU
 * completions, then arrivals, each in the order it was scheduled.
 *
 * Memory is proportional to the requests in the system at once, not to the requests simulated:
 * each request occupies a slot from arrival to end, and slots are reused. What happens to a
 * finished request is the sink's business: `simulate` records every request in arrays,
 * simulateStream (simulate-stream.ts) folds them into running figures.
 */

export interface ModelTopology {
  kind: ServerKind;
  workers: number;
  threads: number;
  replicas: number;
  balancer: BalancerPolicy;
  workerConnections: number;
}

/** What the workers do besides serving: the settings that change waits beyond the topology. */
export interface WorkerBehaviour {
  /** "sleep": handlers wait on I/O; "cpu": handlers need their service time of CPU. */
  work: Work;
  /** Cores shared by CPU-bound handlers (work "cpu"). */
  cores: number;
  /** Requests after which a worker exits (gunicorn --max-requests); 0 never. */
  maxRequests: number;
  /** Up to this many more, drawn per process (gunicorn --max-requests-jitter). */
  maxRequestsJitter: number;
  /** Seconds from a worker's exit (or kill) until its replacement accepts. */
  restartTime: number;
  /** Seconds a handler may run before the worker is killed (sync --timeout); 0 never. */
  timeout: number;
  /**
   * The accept race (accept-race.ts): probability that a waiting connection goes to the worker
   * that accepted the previous one, 0 (uniform) to 1. Only workers that accept while busy
   * (gthread) make it matter.
   */
  stickiness: number;
}

export const DEFAULT_BEHAVIOUR: WorkerBehaviour = {
  work: 'sleep',
  cores: Number.POSITIVE_INFINITY,
  maxRequests: 0,
  maxRequestsJitter: 0,
  restartTime: 1,
  timeout: 0,
  stickiness: 0,
};

/** How a request ended. */
export const STATUS = {
  ok: 0,
  /** Its handler ran past the timeout: the request failed and its worker was killed. */
  timeout: 1,
} as const;

/** Receives each request as it ends. `start` is when its handler started. */
export interface RequestSink {
  done(
    index: number,
    arrival: number,
    start: number,
    end: number,
    replica: number,
    worker: number,
    thread: number,
    status: number,
  ): void;
}

/** Whole-run tallies the engine keeps whatever the sink. Times in seconds. */
export interface EngineTotals {
  requests: number;
  ok: number;
  timeouts: number;
  firstArrival: number;
  lastEnd: number;
  /** Sum over requests of (end - handler start): thread-seconds busy. */
  busyTime: number;
  /** Sum over requests of (end - arrival): time in system. */
  sojournTime: number;
  /** Integral of the number of requests in the system over time, from the first arrival. */
  inSystemArea: number;
  maxInSystem: number;
  /** Worker processes that exited after max-requests or were killed, and were replaced. */
  restarts: number;
}

export interface EngineInput {
  topology: ModelTopology;
  behaviour?: Partial<WorkerBehaviour>;
  /** Successive arrival instants, non-decreasing; Infinity when done. */
  nextArrival: () => number;
  /** Service time (s) of request `index`; called once per request, in arrival order. */
  serviceOf: (index: number) => number;
  /** Balancer and accept races, recycling jitter. */
  random: Random;
  sink: RequestSink;
  /**
   * When each worker (g = replica x workers + worker) first accepts, for a load that starts
   * while workers still boot (harness/model/boot.ts); Infinity never. All at 0 when absent.
   */
  firstUp?: Float64Array;
  /** Told whenever a worker stops (exit, kill) or starts accepting (a boot or a replacement). */
  onWorker?: (worker: number, up: boolean, now: number) => void;
}

const NONE = -1;
const EV_COMPLETE = 0;
const EV_TIMEOUT = 1;
const EV_RESTART = 2;
const UP = 0;
const DRAINING = 1;
const DOWN = 2;

/** A setting that does not fit the question, named by its field. */
export interface ModelIssue {
  /** The field of WorkerBehaviour, ModelTopology or the question it concerns, e.g. "timeout". */
  field: string;
  message: string;
  fix: string;
}

/** Checks a behaviour against a topology; returns every problem, or an empty list. */
export function behaviourProblems(topology: ModelTopology, b: WorkerBehaviour): ModelIssue[] {
  const problems: ModelIssue[] = [];
  const holdsOne =
    topology.kind !== 'gthread' || Math.min(topology.threads, topology.workerConnections) === 1;
  if (b.timeout > 0 && (topology.kind !== 'sync' || !holdsOne))
    problems.push({
      field: 'timeout',
      message: `a per-request timeout applies to sync workers only (gunicorn --timeout); ${topology.kind === 'gthread' ? "gthread's timeout is a liveness check of the worker's main loop, which a busy thread does not trip" : 'the Flask development server has no timeout'}`,
      fix: 'drop the timeout, or use kind sync with one thread',
    });
  if (b.maxRequests > 0 && topology.kind === 'flask-dev')
    problems.push({
      field: 'maxRequests',
      message: 'the Flask development server has no --max-requests',
      fix: 'drop max-requests, or use kind sync or gthread',
    });
  if (b.maxRequestsJitter > 0 && b.maxRequests === 0)
    problems.push({
      field: 'maxRequestsJitter',
      message: 'jitter without max-requests does nothing (gunicorn ignores it too)',
      fix: 'add max-requests, or drop the jitter',
    });
  if (!(b.stickiness >= 0 && b.stickiness <= 1))
    problems.push({
      field: 'stickiness',
      message: 'the accept stickiness is a probability, from 0 to 1',
      fix: 'e.g. 0 for a uniform accept race, or the calibrated value',
    });
  if (!(b.cores > 0))
    problems.push({ field: 'cores', message: 'cores must be above 0', fix: 'e.g. 2' });
  if (!(b.restartTime >= 0) || !Number.isFinite(b.restartTime))
    problems.push({
      field: 'restartTime',
      message: 'the restart time must be a finite number of seconds, 0 or more',
      fix: 'e.g. 1s: how long your app takes to boot a worker',
    });
  return problems;
}

/** Runs the simulation to the end and returns the whole-run tallies. */
export function runEngine(input: EngineInput): EngineTotals {
  const { topology, random, sink, serviceOf, nextArrival } = input;
  const b: WorkerBehaviour = { ...DEFAULT_BEHAVIOUR, ...input.behaviour };
  const problems = behaviourProblems(topology, b);
  if (problems.length > 0) throw new RangeError(problems.map((p) => p.message).join('; '));
  const { replicas: R, workers: W, balancer } = topology;
  const threaded = topology.kind === 'gthread';
  const T = threaded ? topology.threads : 1;
  const cap = threaded ? topology.workerConnections : 1;
  const G = R * W;
  const cpu = b.work === 'cpu';
  const recycle = b.maxRequests > 0;
  const timeout = b.timeout > 0 ? b.timeout : Number.POSITIVE_INFINITY;

  // Request slots, reused: a request holds one from arrival to end. Queues are linked lists
  // through `sLink`, a request being in at most one queue at a time.
  let capacity = 256;
  let sIndex = new Int32Array(capacity);
  let sArrival = new Float64Array(capacity);
  let sService = new Float64Array(capacity);
  let sStart = new Float64Array(capacity);
  let sDeadline = new Float64Array(capacity);
  let sReplica = new Int32Array(capacity);
  let sWorker = new Int32Array(capacity); // global worker g = r * W + w, NONE before accept
  let sThread = new Int32Array(capacity);
  let sLink = new Int32Array(capacity);
  let freeSlots = new Int32Array(capacity);
  let freeTop = 0;
  for (let s = capacity - 1; s >= 0; s--) freeSlots[freeTop++] = s;

  const grow = (): void => {
    const next = capacity * 2;
    const f64 = (a: Float64Array) => {
      const out = new Float64Array(next);
      out.set(a);
      return out;
    };
    const i32 = (a: Int32Array) => {
      const out = new Int32Array(next);
      out.set(a);
      return out;
    };
    sIndex = i32(sIndex);
    sArrival = f64(sArrival);
    sService = f64(sService);
    sStart = f64(sStart);
    sDeadline = f64(sDeadline);
    sReplica = i32(sReplica);
    sWorker = i32(sWorker);
    sThread = i32(sThread);
    sLink = i32(sLink);
    freeSlots = new Int32Array(next);
    freeTop = 0;
    for (let s = next - 1; s >= capacity; s--) freeSlots[freeTop++] = s;
    capacity = next;
  };

  const kernelHead = new Int32Array(R).fill(NONE);
  const kernelTail = new Int32Array(R).fill(NONE);
  const active = new Int32Array(R); // connections per replica, for least-connections
  const workerHead = new Int32Array(G).fill(NONE);
  const workerTail = new Int32Array(G).fill(NONE);
  const held = new Int32Array(G); // connections a worker holds (accepted, not finished)
  const freeThreads = new Int32Array(G * T); // per worker, a stack of idle thread ids
  const freeCount = new Int32Array(G).fill(T);
  for (let g = 0; g < G; g++) for (let t = 0; t < T; t++) freeThreads[g * T + t] = T - 1 - t;
  const threadSlot = new Int32Array(G * T).fill(NONE);
  const state = new Uint8Array(G); // UP, DRAINING or DOWN
  const served = new Float64Array(G);
  const limit = new Float64Array(G).fill(Number.POSITIVE_INFINITY);
  const drawLimit = (): number =>
    b.maxRequests + (b.maxRequestsJitter > 0 ? random.int(b.maxRequestsJitter + 1) : 0);
  if (recycle) for (let g = 0; g < G; g++) limit[g] = drawLimit();
  const firstUp = input.firstUp;
  const onWorker = input.onWorker;
  const candidates = new Int32Array(W);
  // The accept race: per replica, the worker that accepted last and when.
  const sticky = b.stickiness;
  const lastAcceptor = new Int32Array(R).fill(NONE);
  const lastAcceptAt = new Float64Array(R).fill(Number.NaN);
  let rrNext = 0;
  const heap = new EventHeap(1024);

  // CPU processor sharing. U is machine "virtual time": the CPU each busy process has had,
  // growing at rate min(1, cores / busy processes). Within process g, its V grows by dU / n
  // for n requests running there; a request finishes when V reaches its tag (V at its start
  // plus its service). Keys in `processes` are the U at which each process's next request
  // finishes if nothing changes.
  const cpuN = new Int32Array(cpu ? G : 0);
  const cpuV = new Float64Array(cpu ? G : 0);
  const cpuU0 = new Float64Array(cpu ? G : 0);
  const tags = new Float64Array(cpu ? G * T : 0).fill(Number.POSITIVE_INFINITY);
  const processes = new IndexedMinHeap(cpu ? G : 0);
  let U = 0;
  let cpuClock = 0;
  let busyProcesses = 0;
  let rate = 0;

  const totals: EngineTotals = {
    requests: 0,
    ok: 0,
    timeouts: 0,
    firstArrival: Number.NaN,
    lastEnd: Number.NaN,
    busyTime: 0,
    sojournTime: 0,
    inSystemArea: 0,
    maxInSystem: 0,
    restarts: 0,
  };
  let inSystem = 0;
  let clock = 0;

  const pickReplica = (): number => {
    if (R === 1) return 0;
    if (balancer === 'random') return random.int(R);
    if (balancer === 'round-robin') {
      const r = rrNext;
      rrNext = rrNext + 1 === R ? 0 : rrNext + 1;
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

  const advanceCpu = (now: number): void => {
    if (busyProcesses > 0) U += (now - cpuClock) * rate;
    cpuClock = now;
  };
  const touch = (g: number): void => {
    const n = cpuN[g] as number;
    if (n > 0) cpuV[g] = (cpuV[g] as number) + (U - (cpuU0[g] as number)) / n;
    cpuU0[g] = U;
  };
  const rekey = (g: number): void => {
    const n = cpuN[g] as number;
    if (n === 0) {
      processes.remove(g);
      return;
    }
    let min = Number.POSITIVE_INFINITY;
    for (let k = g * T; k < g * T + T; k++) if ((tags[k] as number) < min) min = tags[k] as number;
    processes.set(g, U + (min - (cpuV[g] as number)) * n);
  };
  const setRate = (): void => {
    rate = busyProcesses === 0 ? 0 : Math.min(1, b.cores / busyProcesses);
  };
  const cpuAdd = (g: number, t: number, work: number): void => {
    touch(g);
    tags[g * T + t] = (cpuV[g] as number) + work;
    if (cpuN[g] === 0) {
      busyProcesses++;
      setRate();
    }
    cpuN[g] = (cpuN[g] as number) + 1;
    rekey(g);
  };
  const cpuRemove = (g: number, t: number): void => {
    touch(g);
    tags[g * T + t] = Number.POSITIVE_INFINITY;
    cpuN[g] = (cpuN[g] as number) - 1;
    if (cpuN[g] === 0) {
      busyProcesses--;
      setRate();
    }
    rekey(g);
  };
  const cpuNextTime = (): number =>
    processes.length === 0
      ? Number.POSITIVE_INFINITY
      : cpuClock + Math.max(0, processes.peekKey() - U) / rate;

  const begin = (s: number, g: number, now: number): void => {
    const remaining = (freeCount[g] as number) - 1;
    freeCount[g] = remaining;
    const t = freeThreads[g * T + remaining] as number;
    threadSlot[g * T + t] = s;
    sThread[s] = t;
    sStart[s] = now;
    if (recycle) {
      served[g] = (served[g] as number) + 1;
      if ((served[g] as number) >= (limit[g] as number) && state[g] === UP) state[g] = DRAINING;
    }
    const work = sService[s] as number;
    if (!cpu) {
      if (work > timeout) {
        sDeadline[s] = now + timeout;
        heap.push(now + timeout, s * 4 + EV_TIMEOUT);
      } else heap.push(now + work, s * 4 + EV_COMPLETE);
      return;
    }
    cpuAdd(g, t, work);
    if (timeout !== Number.POSITIVE_INFINITY) {
      sDeadline[s] = now + timeout;
      heap.push(now + timeout, s * 4 + EV_TIMEOUT);
    }
  };

  const canAccept = (g: number): boolean =>
    state[g] === UP && (threaded ? (held[g] as number) < cap : freeCount[g] === T);

  /** Workers of replica r accept from its kernel queue while they may. */
  const acceptAt = (r: number, now: number): void => {
    while (kernelHead[r] !== NONE) {
      let count = 0;
      for (let w = 0; w < W; w++) {
        const g = r * W + w;
        if (canAccept(g)) candidates[count++] = g;
      }
      if (count === 0) return;
      const s = kernelHead[r] as number;
      const last = lastAcceptor[r] as number;
      const g =
        sticky > 0 &&
        count > 1 &&
        last !== NONE &&
        canAccept(last) &&
        ((sArrival[s] as number) < now || lastAcceptAt[r] === now) &&
        random.next() < sticky
          ? last
          : (candidates[count === 1 ? 0 : random.int(count)] as number);
      lastAcceptor[r] = g;
      lastAcceptAt[r] = now;
      kernelHead[r] = sLink[s] as number;
      if (kernelHead[r] === NONE) kernelTail[r] = NONE;
      sLink[s] = NONE;
      sWorker[s] = g;
      held[g] = (held[g] as number) + 1;
      if ((freeCount[g] as number) > 0) begin(s, g, now);
      else {
        // Only gthread gets here: the connection waits for one of its worker's threads.
        if (workerTail[g] === NONE) workerHead[g] = s;
        else sLink[workerTail[g] as number] = s;
        workerTail[g] = s;
      }
    }
  };

  const arrive = (now: number): void => {
    if (freeTop === 0) grow();
    const s = freeSlots[--freeTop] as number;
    const index = totals.requests++;
    if (index === 0) totals.firstArrival = now;
    sIndex[s] = index;
    sArrival[s] = now;
    sService[s] = serviceOf(index);
    sStart[s] = Number.NaN;
    sDeadline[s] = Number.NaN;
    sWorker[s] = NONE;
    sLink[s] = NONE;
    const r = pickReplica();
    sReplica[s] = r;
    active[r] = (active[r] as number) + 1;
    if (kernelTail[r] === NONE) kernelHead[r] = s;
    else sLink[kernelTail[r] as number] = s;
    kernelTail[r] = s;
    inSystem++;
    if (inSystem > totals.maxInSystem) totals.maxInSystem = inSystem;
    acceptAt(r, now);
  };

  /** Request in slot s ends: tell the sink, release what it held. Returns its worker. */
  const finish = (s: number, now: number, status: number): number => {
    const g = sWorker[s] as number;
    const r = sReplica[s] as number;
    const t = sThread[s] as number;
    const start = sStart[s] as number;
    sink.done(sIndex[s] as number, sArrival[s] as number, start, now, r, g - r * W, t, status);
    totals.busyTime += now - start;
    totals.sojournTime += now - (sArrival[s] as number);
    totals.lastEnd = now;
    if (status === STATUS.ok) totals.ok++;
    else totals.timeouts++;
    active[r] = (active[r] as number) - 1;
    held[g] = (held[g] as number) - 1;
    threadSlot[g * T + t] = NONE;
    inSystem--;
    sDeadline[s] = Number.NaN;
    freeSlots[freeTop++] = s;
    return g;
  };

  const releaseThread = (g: number, t: number, now: number): void => {
    freeThreads[g * T + (freeCount[g] as number)] = t;
    freeCount[g] = (freeCount[g] as number) + 1;
    const next = workerHead[g] as number;
    if (next !== NONE) {
      // The freed thread takes the next request queued in its worker at once.
      workerHead[g] = sLink[next] as number;
      if (workerHead[g] === NONE) workerTail[g] = NONE;
      sLink[next] = NONE;
      begin(next, g, now);
    }
  };

  const goDown = (g: number, now: number): void => {
    state[g] = DOWN;
    totals.restarts++;
    onWorker?.(g, false, now);
    heap.push(now + b.restartTime, g * 4 + EV_RESTART);
  };

  const complete = (s: number, now: number): void => {
    const t = sThread[s] as number;
    const g = finish(s, now, STATUS.ok);
    releaseThread(g, t, now);
    if (state[g] === DRAINING && held[g] === 0) goDown(g, now);
    else acceptAt((g / W) | 0, now);
  };

  const expire = (s: number, now: number): void => {
    // A CPU-bound request may have finished (and its slot been reused) before its deadline.
    if (sDeadline[s] !== now) return;
    const t = sThread[s] as number;
    const g = sWorker[s] as number;
    if (cpu) cpuRemove(g, t);
    finish(s, now, STATUS.timeout);
    // The killed process's thread is gone with it; the replacement starts with all idle.
    freeThreads[g * T + (freeCount[g] as number)] = t;
    freeCount[g] = (freeCount[g] as number) + 1;
    if (state[g] !== DOWN) goDown(g, now);
  };

  const restart = (g: number, now: number): void => {
    state[g] = UP;
    onWorker?.(g, true, now);
    served[g] = 0;
    if (recycle) limit[g] = drawLimit();
    acceptAt((g / W) | 0, now);
  };

  const cpuComplete = (now: number): void => {
    const g = processes.peek();
    let t = 0;
    let min = Number.POSITIVE_INFINITY;
    for (let k = 0; k < T; k++) {
      const tag = tags[g * T + k] as number;
      if (tag < min) {
        min = tag;
        t = k;
      }
    }
    touch(g);
    cpuV[g] = min; // snap: the request has had exactly its service
    cpuRemove(g, t);
    complete(threadSlot[g * T + t] as number, now);
  };

  // Workers still booting when the load starts come up like a replacement does.
  if (firstUp !== undefined) {
    for (let g = 0; g < G; g++) {
      const at = firstUp[g] ?? 0;
      if (at <= 0) continue;
      state[g] = DOWN;
      if (at !== Number.POSITIVE_INFINITY) heap.push(at, g * 4 + EV_RESTART);
    }
  }
  let arrival = nextArrival();
  for (;;) {
    const th = heap.peekTime();
    const tc = cpu ? cpuNextTime() : Number.POSITIVE_INFINITY;
    let now: number;
    let kind: number;
    if (th <= tc && th <= arrival) {
      if (th === Number.POSITIVE_INFINITY) break;
      now = th;
      kind = 0;
    } else if (tc <= arrival) {
      now = tc;
      kind = 1;
    } else {
      now = arrival;
      kind = 2;
    }
    if (inSystem > 0) totals.inSystemArea += inSystem * (now - clock);
    clock = now;
    if (cpu) advanceCpu(now);
    if (kind === 0) {
      const id = heap.pop();
      const type = id & 3;
      const x = id >>> 2;
      if (type === EV_COMPLETE) complete(x, now);
      else if (type === EV_TIMEOUT) expire(x, now);
      else restart(x, now);
    } else if (kind === 1) cpuComplete(now);
    else {
      arrive(now);
      arrival = nextArrival();
    }
  }
  return totals;
}

export interface SimulationInput {
  topology: ModelTopology;
  behaviour?: Partial<WorkerBehaviour>;
  /** Arrival instants in seconds, non-decreasing. */
  arrivals: Float64Array;
  /** Service time of each request in seconds. */
  service: Float64Array;
  random: Random;
  /** When each worker first accepts (EngineInput.firstUp). */
  firstUp?: Float64Array;
}

/** A worker stopping or starting to accept, in a simulated run. */
export interface WorkerTransition {
  at: number;
  /** Global worker index: replica x workers + worker. */
  worker: number;
  up: boolean;
}

/** Per request, by arrival index: where it was served, when it started and ended (s), how. */
export interface SimulationResult {
  replica: Int32Array;
  worker: Int32Array;
  thread: Int32Array;
  start: Float64Array;
  end: Float64Array;
  /** STATUS.ok or STATUS.timeout. */
  status: Uint8Array;
  totals: EngineTotals;
  /** Every worker stop and start during the run, in order. */
  transitions: WorkerTransition[];
}

/** Simulates given arrivals and service times, recording every request. */
export function simulate(input: SimulationInput): SimulationResult {
  const { arrivals, service } = input;
  const n = arrivals.length;
  const replica = new Int32Array(n).fill(NONE);
  const worker = new Int32Array(n).fill(NONE);
  const thread = new Int32Array(n).fill(NONE);
  const start = new Float64Array(n).fill(Number.NaN);
  const end = new Float64Array(n).fill(Number.NaN);
  const status = new Uint8Array(n);
  let next = 0;
  const engineInput: EngineInput = {
    topology: input.topology,
    nextArrival: () => (next < n ? (arrivals[next++] as number) : Number.POSITIVE_INFINITY),
    serviceOf: (index) => service[index] as number,
    random: input.random,
    sink: {
      done(index, _arrival, s, e, r, w, t, st) {
        replica[index] = r;
        worker[index] = w;
        thread[index] = t;
        start[index] = s;
        end[index] = e;
        status[index] = st;
      },
    },
  };
  if (input.behaviour !== undefined) engineInput.behaviour = input.behaviour;
  if (input.firstUp !== undefined) engineInput.firstUp = input.firstUp;
  const transitions: WorkerTransition[] = [];
  engineInput.onWorker = (g, up, at) => transitions.push({ at, worker: g, up });
  const totals = runEngine(engineInput);
  return { replica, worker, thread, start, end, status, totals, transitions };
}
