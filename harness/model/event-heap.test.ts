import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventHeap } from './event-heap.js';
import { createRandom } from './random.js';

test('events come out by time, first in first out among equal times', () => {
  const heap = new EventHeap(2); // grows as needed
  const random = createRandom(3);
  const pushed: Array<[number, number]> = [];
  for (let id = 0; id < 5_000; id++) {
    const time = Math.floor(random.next() * 50); // many ties
    heap.push(time, id);
    pushed.push([time, id]);
  }
  // A stable sort by time is the reference order.
  const expected = [...pushed].sort((a, b) => a[0] - b[0]).map(([, id]) => id);
  const popped: number[] = [];
  while (heap.length > 0) popped.push(heap.pop());
  assert.deepEqual(popped, expected);
  assert.equal(heap.peekTime(), Number.POSITIVE_INFINITY);
});
