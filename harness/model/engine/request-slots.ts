import { f64, grownF64, grownI32, i32 } from './typed-arrays.js';

/** No slot, worker or thread. */
export const NONE = -1;

/**
 * The requests in the system, one slot each from arrival to end, slots reused: memory follows
 * the requests in the system at once, not the requests simulated. A slot's fields live in one
 * typed array per field (struct of arrays, as event-heap.ts keeps its events), doubled when
 * full. `link` chains slots into the FIFO queues of SlotQueues; a request is in at most one
 * queue at a time.
 */
export class RequestSlots {
  /** Arrival index of the request. */
  index: Int32Array;
  arrival: Float64Array;
  service: Float64Array;
  /** When its handler started; NaN before. */
  start: Float64Array;
  /** When its timeout fires; NaN when it has none pending. */
  deadline: Float64Array;
  replica: Int32Array;
  /** Global worker g = replica x workers + worker; NONE before accept. */
  worker: Int32Array;
  thread: Int32Array;
  link: Int32Array;
  private free: Int32Array;
  private freeTop = 0;

  constructor(capacity = 256) {
    this.index = new Int32Array(capacity);
    this.arrival = new Float64Array(capacity);
    this.service = new Float64Array(capacity);
    this.start = new Float64Array(capacity);
    this.deadline = new Float64Array(capacity);
    this.replica = new Int32Array(capacity);
    this.worker = new Int32Array(capacity);
    this.thread = new Int32Array(capacity);
    this.link = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
    this.pushFree(capacity, 0);
  }

  /** A free slot for request `index`, arrived at `arrival`, needing `service`. */
  take(index: number, arrival: number, service: number): number {
    if (this.freeTop === 0) this.grow();
    const s = i32(this.free, --this.freeTop);
    this.index[s] = index;
    this.arrival[s] = arrival;
    this.service[s] = service;
    this.start[s] = Number.NaN;
    this.deadline[s] = Number.NaN;
    this.worker[s] = NONE;
    this.link[s] = NONE;
    return s;
  }

  release(s: number): void {
    this.deadline[s] = Number.NaN;
    this.free[this.freeTop++] = s;
  }

  indexOf(s: number): number {
    return i32(this.index, s);
  }
  arrivalOf(s: number): number {
    return f64(this.arrival, s);
  }
  serviceOf(s: number): number {
    return f64(this.service, s);
  }
  startOf(s: number): number {
    return f64(this.start, s);
  }
  deadlineOf(s: number): number {
    return f64(this.deadline, s);
  }
  replicaOf(s: number): number {
    return i32(this.replica, s);
  }
  workerOf(s: number): number {
    return i32(this.worker, s);
  }
  threadOf(s: number): number {
    return i32(this.thread, s);
  }
  linkOf(s: number): number {
    return i32(this.link, s);
  }

  /** Free slots first..last-1, pushed so that the lowest is taken first. */
  private pushFree(last: number, first: number): void {
    for (let s = last - 1; s >= first; s--) this.free[this.freeTop++] = s;
  }

  private grow(): void {
    const capacity = this.index.length;
    const next = capacity * 2;
    this.index = grownI32(this.index, next);
    this.arrival = grownF64(this.arrival, next);
    this.service = grownF64(this.service, next);
    this.start = grownF64(this.start, next);
    this.deadline = grownF64(this.deadline, next);
    this.replica = grownI32(this.replica, next);
    this.worker = grownI32(this.worker, next);
    this.thread = grownI32(this.thread, next);
    this.link = grownI32(this.link, next);
    this.free = new Int32Array(next);
    this.freeTop = 0;
    this.pushFree(next, capacity);
  }
}

/**
 * First-in, first-out queues of request slots (a replica's kernel accept queue, a gthread
 * worker's queue for its threads), linked through the slots' `link` field.
 */
export class SlotQueues {
  private readonly head: Int32Array;
  private readonly tail: Int32Array;

  constructor(
    count: number,
    private readonly slots: RequestSlots,
  ) {
    this.head = new Int32Array(count).fill(NONE);
    this.tail = new Int32Array(count).fill(NONE);
  }

  /** The slot at the head of queue q, or NONE. */
  peek(q: number): number {
    return i32(this.head, q);
  }

  push(q: number, s: number): void {
    const tail = i32(this.tail, q);
    if (tail === NONE) this.head[q] = s;
    else this.slots.link[tail] = s;
    this.tail[q] = s;
  }

  /** Removes and returns the head of queue q, which the caller knows is not empty. */
  shift(q: number): number {
    const s = i32(this.head, q);
    const next = this.slots.linkOf(s);
    this.head[q] = next;
    if (next === NONE) this.tail[q] = NONE;
    this.slots.link[s] = NONE;
    return s;
  }
}
