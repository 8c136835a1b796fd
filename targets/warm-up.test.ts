import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WARM_UP_REQUESTS, warmUpServing } from './warm-up.js';

test('the serving warm-up answers its own requests and leaves nothing open', async () => {
  const before = new Set(process.getActiveResourcesInfo());
  const answered = await warmUpServing({ replica: 0, worker: 0 }, { ms: 200, work: 'sleep' });
  assert.equal(answered, WARM_UP_REQUESTS);
  // Handles leave the list in the loop's close phase, after their close callbacks.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const left = process.getActiveResourcesInfo().filter((h) => h !== 'Timeout' && !before.has(h));
  assert.deepEqual(left, []);
});
