import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestTopology } from '../../targets/test-support/fixtures.js';
import { listeningSockets } from '../test-support/cli/watch.js';
import { descendants } from './process-tree.js';
import { TARGET_HOST } from './start-topology.js';

/**
 * Safety: every kind of target, and the balancer, listens on 127.0.0.1 and nowhere else, as
 * `ss -ltnp` sees it. (The random-kill test checks the same of every socket it sees mid-run.)
 */
for (const spec of [
  { kind: 'flask-dev' as const },
  { kind: 'sync' as const, workers: 2 },
  { kind: 'gthread' as const, workers: 2, threads: 2 },
  { kind: 'sync' as const, workers: 1, replicas: 2 },
]) {
  const label = `${spec.kind}${'replicas' in spec ? ' x2 behind the balancer' : ''}`;
  test(`${label} listens on ${TARGET_HOST} only`, async (t) => {
    const started = await startTestTopology(spec);
    t.after(() => started.stop());
    const ours = new Set([process.pid, ...descendants(process.pid)]);
    const sockets = listeningSockets().filter((s) => s.pids.some((p) => ours.has(p)));
    const expected = (spec.replicas ?? 1) + ((spec.replicas ?? 1) > 1 ? 1 : 0);
    assert.equal(sockets.length, expected, JSON.stringify(sockets));
    for (const socket of sockets) assert.equal(socket.address, TARGET_HOST, JSON.stringify(socket));
    assert.equal(new URL(started.origin).hostname, TARGET_HOST);
  });
}
