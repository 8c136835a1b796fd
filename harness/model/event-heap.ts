/**
 * A binary min-heap of (time, id) events on typed arrays, first-in-first-out among equal times,
 * so a simulation is deterministic for a given seed. No allocation per event once grown.
 */
export class EventHeap {
  private times: Float64Array;
  private seqs: Float64Array;
  private ids: Int32Array;
  private size = 0;
  private counter = 0;

  constructor(capacity = 1024) {
    this.times = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.size === 0 ? Number.POSITIVE_INFINITY : (this.times[0] as number);
  }

  push(time: number, id: number): void {
    if (this.size === this.times.length) this.grow();
    const seq = this.counter++;
    let i = this.size++;
    const { times, seqs, ids } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] as number;
      if (pt < time || (pt === time && (seqs[parent] as number) < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent] as number;
      ids[i] = ids[parent] as number;
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    ids[i] = id;
  }

  /** Removes the earliest event and returns its id; the caller read its time with peekTime(). */
  pop(): number {
    const { times, seqs, ids } = this;
    const top = ids[0] as number;
    const last = --this.size;
    if (last > 0) {
      const time = times[last] as number;
      const seq = seqs[last] as number;
      const id = ids[last] as number;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= last) break;
        const right = left + 1;
        let child = left;
        if (
          right < last &&
          ((times[right] as number) < (times[left] as number) ||
            ((times[right] as number) === (times[left] as number) &&
              (seqs[right] as number) < (seqs[left] as number)))
        ) {
          child = right;
        }
        const ct = times[child] as number;
        if (ct > time || (ct === time && (seqs[child] as number) > seq)) break;
        times[i] = ct;
        seqs[i] = seqs[child] as number;
        ids[i] = ids[child] as number;
        i = child;
      }
      times[i] = time;
      seqs[i] = seq;
      ids[i] = id;
    }
    return top;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const ids = new Int32Array(capacity);
    times.set(this.times);
    seqs.set(this.seqs);
    ids.set(this.ids);
    this.times = times;
    this.seqs = seqs;
    this.ids = ids;
  }
}
