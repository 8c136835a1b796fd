import { EventHeap } from '../event-heap.js';
import type {
  EngineInput,
  EngineTotals,
  ModelTopology,
  RequestSink,
  WorkerBehaviour,
} from '../simulate.js';
import { AcceptRace } from './accept-race.js';
import { ConnectionPool } from './connection-pool.js';
import { ProcessorSharing } from './processor-sharing.js';
import { ReplicaBalancer } from './replica-balancer.js';
import { NONE, RequestSlots, SlotQueues } from './request-slots.js';
import { WorkerPool } from './worker-pool.js';

/** How a request ended. */
export const STATUS = {
  ok: 0,
  /** Its handler ran past the timeout: the request failed and its worker was killed. */
  timeout: 1,
} as const;

/**
 * The timed events in the engine's heap. An event's id packs its kind with its subject (a slot
 * for complete and timeout, a worker for restart): id = subject x 4 + kind.
 */
export const EVENT = {
  /** A handler that needs no CPU reached its service time. */
  complete: 0,
  /** A handler reached the timeout. */
  timeout: 1,
  /** A replacement (or a booting) worker starts accepting. */
  restart: 2,
} as const;
type EventKind = (typeof EVENT)[keyof typeof EVENT];

const eventId = (kind: EventKind, subject: number): number => subject * 4 + kind;

/**
 * One run of the simulation (see simulate.ts for the model). The parts keep the state: slots
 * for the requests in the system, FIFO queues through them (a kernel queue per replica, a
 * queue per gthread worker for its threads), the worker pool, the balancer, the accept race,
 * processor sharing for CPU-bound work and a heap of timed events. This class holds the
 * handlers that move requests between them and the loop that takes the earliest of three
 * sources in turn: a timed event, a CPU completion, the next arrival. At equal instants timed
 * events run first, then CPU completions, then arrivals, each in the order it was scheduled.
 */
export class Engine {
  private readonly slots = new RequestSlots();
  private readonly kernel: SlotQueues;
  private readonly waiting: SlotQueues;
  private readonly workers: WorkerPool;
  private readonly balancer: ReplicaBalancer;
  private readonly race: AcceptRace;
  private readonly cpu: ProcessorSharing | undefined;
  /** HTTP-mode balancer: the idle connections it keeps to each replica (connection-pool.ts). */
  private readonly pool: ConnectionPool | undefined;
  private readonly usable = (g: number): boolean => this.workers.isUp(g);
  private readonly events = new EventHeap(1024);
  private readonly sink: RequestSink;
  private readonly W: number;
  private readonly timeout: number;
  private readonly restartTime: number;
  private readonly totals: EngineTotals = {
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
  private inSystem = 0;
  private clock = 0;
  /** Model seconds of a worker's event loop per accept, handler start and response; 0 none. */
  private readonly loopCost: number;
  /** Per worker: when its event loop is next free (loopCost > 0 only). */
  private readonly loopFree: Float64Array;
  /** Requests accepted at this instant whose handler starts once all are accepted. */
  private accepted: Int32Array;
  private held = 0;

  /** `behaviour` is complete and checked (behaviourProblems) by the caller. */
  constructor(
    private readonly input: EngineInput,
    behaviour: WorkerBehaviour,
  ) {
    const topology: ModelTopology = input.topology;
    const { replicas: R, workers: W } = topology;
    const threaded = topology.kind === 'gthread';
    const T = threaded ? topology.threads : 1;
    const random = input.random;
    this.W = W;
    this.sink = input.sink;
    this.timeout = behaviour.timeout > 0 ? behaviour.timeout : Number.POSITIVE_INFINITY;
    this.restartTime = behaviour.restartTime;
    this.kernel = new SlotQueues(R, this.slots);
    this.waiting = new SlotQueues(R * W, this.slots);
    const { maxRequests, maxRequestsJitter } = behaviour;
    const drawLimit =
      maxRequests > 0
        ? () => maxRequests + (maxRequestsJitter > 0 ? random.int(maxRequestsJitter + 1) : 0)
        : undefined;
    // A run whose burst reaches loop-held workers whole: they accept it all, as the race draws.
    const whole = behaviour.wholeBurst !== undefined && random.next() < behaviour.wholeBurst;
    const connections = threaded
      ? whole
        ? Number.POSITIVE_INFINITY
        : topology.workerConnections
      : 1;
    this.workers = new WorkerPool(R * W, T, threaded, connections, drawLimit);
    this.race = new AcceptRace(
      R,
      W,
      behaviour.stickiness,
      random,
      behaviour.race,
      behaviour.burstUntil,
    );
    this.balancer = new ReplicaBalancer(R, topology.balancer, random);
    // Only workers that keep connections alive can be reused: gunicorn's sync worker and
    // Werkzeug's HTTP/1.0 handler close after every response, so a pool never holds one.
    this.pool =
      behaviour.reuse !== undefined && threaded
        ? new ConnectionPool(R, W, behaviour.reuse.keepAlive)
        : undefined;
    this.cpu =
      behaviour.work === 'cpu' ? new ProcessorSharing(R * W, T, behaviour.cores) : undefined;
    const loop = behaviour.loop;
    this.loopCost = loop === undefined ? 0 : loop.cost / loop.timeScale;
    this.loopFree = new Float64Array(this.loopCost > 0 ? R * W : 0);
    this.accepted = new Int32Array(this.loopCost > 0 ? 64 : 0);
    // Workers still booting when the load starts come up like a replacement does.
    const firstUp = input.firstUp;
    if (firstUp !== undefined)
      for (let g = 0; g < R * W; g++) {
        const at = firstUp[g] ?? 0;
        if (at <= 0) continue;
        this.workers.down(g);
        if (at !== Number.POSITIVE_INFINITY) this.events.push(at, eventId(EVENT.restart, g));
      }
  }

  /** Runs to the end: every arrival served or failed, nothing left scheduled. */
  run(): EngineTotals {
    const { events, cpu } = this;
    const nextArrival = this.input.nextArrival;
    let arrival = nextArrival();
    for (;;) {
      const timed = events.peekTime();
      const cpuDone = cpu === undefined ? Number.POSITIVE_INFINITY : cpu.nextTime();
      // With an event loop cost, what was accepted at this instant starts before time moves on.
      if (this.held > 0 && Math.min(timed, cpuDone, arrival) > this.clock) {
        this.flushAccepted();
        continue;
      }
      if (timed <= cpuDone && timed <= arrival) {
        if (timed === Number.POSITIVE_INFINITY) break;
        this.moveTo(timed);
        this.dispatch(events.pop(), timed);
      } else if (cpu !== undefined && cpuDone <= arrival) {
        this.moveTo(cpuDone);
        this.complete(this.workers.slotOn(cpu.finishNext()), cpuDone);
      } else {
        this.moveTo(arrival);
        this.arrive(arrival);
        arrival = nextArrival();
      }
    }
    return this.totals;
  }

  private moveTo(now: number): void {
    if (this.inSystem > 0) this.totals.inSystemArea += this.inSystem * (now - this.clock);
    this.clock = now;
    this.cpu?.advance(now);
  }

  private dispatch(id: number, now: number): void {
    const kind = id & 3;
    const subject = id >>> 2;
    if (kind === EVENT.complete) this.complete(subject, now);
    else if (kind === EVENT.timeout) this.expire(subject, now);
    else this.restart(subject, now);
  }

  private arrive(now: number): void {
    const { totals, slots } = this;
    const index = totals.requests++;
    if (index === 0) totals.firstArrival = now;
    const s = slots.take(index, now, this.input.serviceOf(index));
    const r = this.balancer.pick();
    slots.replica[s] = r;
    this.balancer.opened(r);
    this.inSystem++;
    if (this.inSystem > totals.maxInSystem) totals.maxInSystem = this.inSystem;
    const g = this.pool === undefined ? NONE : this.pool.take(r, now, this.usable);
    if (g === NONE) {
      this.kernel.push(r, s);
      this.acceptAt(r, now);
      return;
    }
    // Sent on a kept-alive connection: its worker has it already, no accept and no race.
    slots.worker[s] = g;
    this.workers.hold(g);
    if (this.workers.hasIdleThread(g)) this.begin(s, g, now);
    else this.waiting.push(g, s);
  }

  /** Workers of replica r accept from its kernel queue while they may. */
  private acceptAt(r: number, now: number): void {
    const { kernel, slots, workers } = this;
    const costed = this.loopCost > 0;
    for (let s = kernel.peek(r); s !== NONE; s = kernel.peek(r)) {
      const g = this.race.choose(r, workers, slots.arrivalOf(s), now);
      if (g === NONE) break;
      kernel.shift(r);
      slots.worker[s] = g;
      workers.hold(g);
      if (costed) this.useLoop(g, now);
      if (!workers.hasIdleThread(g)) {
        // Only gthread gets here: the connection waits for one of its worker's threads.
        this.waiting.push(g, s);
        continue;
      }
      if (!costed) {
        this.begin(s, g, now);
        continue;
      }
      // Its thread is taken now; it starts once everything due at this instant is done, so
      // that the loop accepts every connection of the instant first (flushAccepted).
      this.claim(s, g);
      this.hold(s);
    }
  }

  /** Remembers slot s among the requests accepted at this instant, to start them after. */
  private hold(s: number): void {
    if (this.held === this.accepted.length) {
      const grown = new Int32Array(this.held * 2);
      grown.set(this.accepted);
      this.accepted = grown;
    }
    this.accepted[this.held++] = s;
  }

  /** Starts the requests accepted at this instant, in the order they were accepted. */
  private flushAccepted(): void {
    const n = this.held;
    this.held = 0;
    for (let k = 0; k < n; k++) {
      const s = this.accepted[k] as number;
      this.schedule(s, this.slots.workerOf(s), this.clock);
    }
  }

  /** Worker g's event loop spends one cost from `now` or when it is next free; returns the end. */
  private useLoop(g: number, now: number): number {
    const free = Math.max(now, this.loopFree[g] as number) + this.loopCost;
    this.loopFree[g] = free;
    return free;
  }

  /** A thread of worker g starts the handler of the request in slot s. */
  private begin(s: number, g: number, now: number): void {
    this.claim(s, g);
    this.schedule(s, g, now);
  }

  /** A thread of worker g is taken for the request in slot s. */
  private claim(s: number, g: number): void {
    this.slots.thread[s] = this.workers.start(g, s);
  }

  /**
   * The handler of slot s (its thread claimed) starts: now, or once worker g's event loop has
   * started it, and its end or timeout is scheduled.
   */
  private schedule(s: number, g: number, at: number): void {
    const { slots, timeout } = this;
    const t = slots.threadOf(s);
    const now = this.loopCost > 0 ? this.useLoop(g, at) : at;
    slots.start[s] = now;
    const work = slots.serviceOf(s);
    if (this.cpu === undefined) {
      if (work > timeout) {
        slots.deadline[s] = now + timeout;
        this.events.push(now + timeout, eventId(EVENT.timeout, s));
      } else this.events.push(now + work, eventId(EVENT.complete, s));
      return;
    }
    this.cpu.add(g, t, work);
    if (timeout !== Number.POSITIVE_INFINITY) {
      slots.deadline[s] = now + timeout;
      this.events.push(now + timeout, eventId(EVENT.timeout, s));
    }
  }

  /** The request in slot s ends: tell the sink, release what it held. Returns its worker. */
  private finish(s: number, now: number, status: number): number {
    const { slots, totals } = this;
    const g = slots.workerOf(s);
    const r = slots.replicaOf(s);
    const t = slots.threadOf(s);
    const start = slots.startOf(s);
    const arrival = slots.arrivalOf(s);
    this.sink.done(slots.indexOf(s), arrival, start, now, r, g - r * this.W, t, status);
    totals.busyTime += now - start;
    totals.sojournTime += now - arrival;
    totals.lastEnd = now;
    if (status === STATUS.ok) totals.ok++;
    else totals.timeouts++;
    this.balancer.closed(r);
    this.workers.finish(g, t);
    this.inSystem--;
    slots.release(s);
    return g;
  }

  private complete(s: number, now: number): void {
    const t = this.slots.threadOf(s);
    const r = this.slots.replicaOf(s);
    const g = this.finish(s, now, STATUS.ok);
    // The response goes out through the worker's event loop.
    if (this.loopCost > 0) this.useLoop(g, now);
    this.pool?.release(r, g, now);
    this.workers.freeThread(g, t);
    // The freed thread takes the next request queued in its worker at once.
    if (this.waiting.peek(g) !== NONE) this.begin(this.waiting.shift(g), g, now);
    if (this.workers.isDrained(g)) this.goDown(g, now);
    else this.acceptAt((g / this.W) | 0, now);
  }

  private expire(s: number, now: number): void {
    const { slots } = this;
    // A CPU-bound request may have finished (and its slot been reused) before its deadline.
    if (slots.deadlineOf(s) !== now) return;
    const t = slots.threadOf(s);
    const g = slots.workerOf(s);
    this.cpu?.remove(g, t);
    this.finish(s, now, STATUS.timeout);
    // The killed process's thread is gone with it; the replacement starts with all idle.
    this.workers.freeThread(g, t);
    if (!this.workers.isDown(g)) this.goDown(g, now);
  }

  private goDown(g: number, now: number): void {
    this.workers.down(g);
    this.pool?.workerGone(g);
    this.totals.restarts++;
    this.input.onWorker?.(g, false, now);
    this.events.push(now + this.restartTime, eventId(EVENT.restart, g));
  }

  private restart(g: number, now: number): void {
    this.workers.up(g);
    this.input.onWorker?.(g, true, now);
    this.acceptAt((g / this.W) | 0, now);
  }
}
