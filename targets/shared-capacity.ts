/**
 * A resource of limited capacity shared by the jobs in it (processor sharing): up to `capacity`
 * jobs progress at full speed; with n > capacity jobs, each progresses at capacity / n. A
 * database with K cores running the same heavy start-up query for every worker behaves so. Pure:
 * the caller passes the time.
 */
export class SharedCapacity<Id> {
  private readonly jobs = new Map<Id, number>();
  private last = 0;

  constructor(private readonly capacity: number) {
    if (!(capacity > 0)) throw new RangeError('capacity must be above 0');
  }

  get size(): number {
    return this.jobs.size;
  }

  /** Speed of each job now: 1 with room to spare, capacity / n when crowded. */
  rate(): number {
    return this.jobs.size <= this.capacity ? 1 : this.capacity / this.jobs.size;
  }

  private advance(now: number): void {
    const done = (now - this.last) * this.rate();
    if (done > 0) for (const [id, left] of this.jobs) this.jobs.set(id, left - done);
    this.last = Math.max(this.last, now);
  }

  /** A job needing `work` time units at full speed joins at `now`. */
  add(id: Id, work: number, now: number): void {
    this.advance(now);
    this.jobs.set(id, work);
  }

  /** A job leaves before it finished (its owner died). */
  remove(id: Id, now: number): void {
    this.advance(now);
    this.jobs.delete(id);
  }

  /** When the next job finishes if nothing joins or leaves; Infinity when empty. */
  nextCompletion(): number {
    let least = Number.POSITIVE_INFINITY;
    for (const left of this.jobs.values()) least = Math.min(least, left);
    return least === Number.POSITIVE_INFINITY
      ? least
      : this.last + Math.max(0, least) / this.rate();
  }

  /** Removes and returns the jobs finished by `now` (within a small tolerance for rounding). */
  finished(now: number, tolerance = 1e-9): Id[] {
    this.advance(now);
    const out: Id[] = [];
    for (const [id, left] of this.jobs) if (left <= tolerance) out.push(id);
    for (const id of out) this.jobs.delete(id);
    return out;
  }
}
