import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { createRandom } from '../random.js';
import { type ModelTopology, simulate, type WorkerBehaviour } from '../simulate.js';
import { simulateStream } from '../simulate-stream.js';

/**
 * The engine split into parts (issue 12) must give the same results for the same seed as the
 * single closure it replaced: every simulated request of 336 runs (kinds x balancers x worker
 * behaviours x worker_connections x seeds, boot delays included), hashed. GOLDEN is the hash the
 * engine before the split produced (commit eb5a84d); a change of this hash is a change of the
 * model's results, to be made on purpose and said in the commit.
 */
const GOLDEN = 'e06cef30df813117d9c635d04fb75a105e1dc260ab341be1f42f290634b31b91';

test('the engine gives the same results for the same seed as before its split', () => {
  const hash = createHash('sha256');
  let cases = 0;
  const behaviours: Array<Partial<WorkerBehaviour>> = [
    {},
    { stickiness: 0.9 },
    { work: 'cpu', cores: 2 },
    { maxRequests: 7, maxRequestsJitter: 3, restartTime: 0.5 },
    { timeout: 0.4, restartTime: 0.2 },
    { work: 'cpu', cores: 1, maxRequests: 5, restartTime: 0.1 },
  ];
  for (const kind of ['sync', 'gthread', 'flask-dev'] as const)
    for (const balancer of ['round-robin', 'random', 'least-connections'] as const)
      for (const behaviour of behaviours)
        for (const workerConnections of [1000, 2]) {
          const topology: ModelTopology = {
            kind,
            workers: 3,
            threads: kind === 'gthread' ? 3 : 1,
            replicas: 2,
            balancer,
            workerConnections,
          };
          if (behaviour.timeout !== undefined && kind !== 'sync') continue;
          if (behaviour.maxRequests !== undefined && kind === 'flask-dev') continue;
          for (const seed of [1, 2, 3]) {
            const draw = createRandom(seed * 7);
            const n = 300;
            const arrivals = new Float64Array(n);
            const service = new Float64Array(n);
            let t = 0;
            for (let i = 0; i < n; i++) {
              if (seed !== 1) t += draw.next() * 0.05;
              arrivals[i] = t;
              service[i] = 0.05 + draw.next() * 0.5;
            }
            const firstUp =
              seed === 3
                ? new Float64Array([0, 0.3, 1, 0, Number.POSITIVE_INFINITY, 0.2])
                : undefined;
            const r = simulate({
              topology,
              behaviour,
              arrivals,
              service,
              random: createRandom(seed),
              ...(firstUp === undefined ? {} : { firstUp }),
            });
            hash.update(
              JSON.stringify([
                Array.from(r.replica),
                Array.from(r.worker),
                Array.from(r.thread),
                Array.from(r.start),
                Array.from(r.end),
                Array.from(r.status),
                r.totals,
                r.transitions,
              ]),
            );
            cases++;
          }
          const s = simulateStream({
            topology,
            behaviour,
            arrivals: { kind: 'poisson', rate: 20, duration: 200 },
            service: { kind: 'exponential', mean: 0.3 },
            seed: 5,
          });
          hash.update(JSON.stringify(s));
          cases++;
        }
  assert.equal(cases, 336);
  assert.equal(hash.digest('hex'), GOLDEN);
});
