/**
 * A binary min-heap over the items 0..capacity-1, each present at most once with a key that can
 * change in place: the simulator keeps one entry per worker process with CPU-bound work, keyed by
 * when its next request finishes, and moves it whenever the process gains or loses a request.
 * Equal keys are ordered by item number, so runs are deterministic. Typed arrays only.
 */
export class IndexedMinHeap {
  private readonly keys: Float64Array;
  private readonly heap: Int32Array;
  /** Position of each item in `heap`, or -1 when absent. */
  private readonly pos: Int32Array;
  private size = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(capacity);
    this.heap = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
  }

  get length(): number {
    return this.size;
  }

  has(item: number): boolean {
    return (this.pos[item] as number) >= 0;
  }

  /** The item with the smallest key; only when length > 0. */
  peek(): number {
    return this.heap[0] as number;
  }

  /** The smallest key; Infinity when empty. */
  peekKey(): number {
    return this.size === 0
      ? Number.POSITIVE_INFINITY
      : (this.keys[this.heap[0] as number] as number);
  }

  /** Inserts `item` or changes its key. */
  set(item: number, key: number): void {
    const at = this.pos[item] as number;
    if (at < 0) {
      this.keys[item] = key;
      this.heap[this.size] = item;
      this.pos[item] = this.size;
      this.up(this.size++);
      return;
    }
    const old = this.keys[item] as number;
    this.keys[item] = key;
    if (key < old) this.up(at);
    else this.down(at);
  }

  remove(item: number): void {
    const at = this.pos[item] as number;
    if (at < 0) return;
    const last = --this.size;
    this.pos[item] = -1;
    if (at === last) return;
    const moved = this.heap[last] as number;
    this.heap[at] = moved;
    this.pos[moved] = at;
    this.up(at);
    this.down(this.pos[moved] as number);
  }

  private less(a: number, b: number): boolean {
    const ka = this.keys[a] as number;
    const kb = this.keys[b] as number;
    return ka < kb || (ka === kb && a < b);
  }

  private up(i: number): void {
    const { heap, pos } = this;
    const item = heap[i] as number;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as number;
      if (!this.less(item, p)) break;
      heap[i] = p;
      pos[p] = i;
      i = parent;
    }
    heap[i] = item;
    pos[item] = i;
  }

  private down(i: number): void {
    const { heap, pos } = this;
    const item = heap[i] as number;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) break;
      const right = left + 1;
      let child = left;
      if (right < this.size && this.less(heap[right] as number, heap[left] as number))
        child = right;
      const c = heap[child] as number;
      if (!this.less(c, item)) break;
      heap[i] = c;
      pos[c] = i;
      i = child;
    }
    heap[i] = item;
    pos[item] = i;
  }
}
