import assert from 'node:assert/strict';
import { test } from 'node:test';
import { warmUpBursts } from './warm-up.js';

test('the warm-up runs once per connection kind in a thread and leaves nothing open', async () => {
  const first = warmUpBursts('new');
  assert.equal(warmUpBursts('new'), first);
  await first;
  const warm = warmUpBursts('warm');
  assert.notEqual(warm, first);
  await warm;
  assert.equal(warmUpBursts('warm'), warm);
  // Its throwaway server and every client are closed (a handle leaves the list in the loop's
  // close phase, after the close callback).
  await new Promise((resolve) => setTimeout(resolve, 20));
  const handles = (
    process as unknown as { getActiveResourcesInfo(): string[] }
  ).getActiveResourcesInfo();
  assert.ok(!handles.includes('TCPServerWrap'), `still open: ${handles.join(', ')}`);
});
