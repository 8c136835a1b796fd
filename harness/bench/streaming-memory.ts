import { arrivalSource } from '../model/arrivals.js';
import { createRandom, deriveSeed, STREAM } from '../model/random.js';
import { serviceSampler } from '../model/service-time.js';
import { type ModelTopology, runEngine, STATUS } from '../model/simulate.js';
import { WaitAccumulator } from '../stats/wait-accumulator.js';
import type { BenchFigure, Benchmark } from './benchmark.js';

/**
 * Memory of a streaming simulation asked for 10,000,000 requests: the engine keeps only the
 * requests in the system at once and the statistics keep a fixed-size histogram, so heap and RSS
 * should stay flat from the first million to the tenth. The run is sampled every million
 * requests (after a forced GC when node runs with --expose-gc, as `npm run bench` does). "Bounded"
 * is checked as growth from the first to the last sample under 16 MB of heap and 32 MB of RSS, a
 * margin for V8's own housekeeping far below the 530 MB that per-request storage would take.
 *
 * The same run recording every request (what `simulate` does for a scenario's prediction) would
 * hold per request 5 Float64 and 3 Int32 arrays plus a status byte, 53 bytes: 530 MB at 10M.
 */

export const MEMORY_REQUESTS = 10_000_000;
const RECORDED_BYTES_PER_REQUEST = 5 * 8 + 3 * 4 + 1;

const topology: ModelTopology = {
  kind: 'sync',
  workers: 4,
  threads: 1,
  replicas: 3,
  balancer: 'round-robin',
  workerConnections: 1000,
};

function sample(): { heap: number; rss: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export const streamingMemory: Benchmark = {
  name: 'streaming-memory',
  description: `heap and RSS while simulating ${MEMORY_REQUESTS.toLocaleString('en-US')} requests in streaming mode`,
  run(log) {
    const rate = (0.9 * 12) / 2; // ρ = 0.9 on 12 workers of 2 s
    const duration = MEMORY_REQUESTS / rate;
    const waits = new WaitAccumulator();
    const serviceRandom = createRandom(deriveSeed(1, STREAM.service));
    const draw = serviceSampler({ kind: 'exponential', mean: 2 });
    const samples: Array<{ requests: number; heap: number; rss: number }> = [];
    const before = sample();
    let next = 1_000_000;
    const started = performance.now();
    const totals = runEngine({
      topology,
      nextArrival: arrivalSource(
        { kind: 'poisson', rate, duration },
        createRandom(deriveSeed(1, STREAM.arrivals)),
      ),
      serviceOf: () => draw(serviceRandom),
      random: createRandom(1),
      sink: {
        done(index, arrival, start, _end, _r, _w, _t, status) {
          if (status === STATUS.ok) waits.add(start - arrival);
          if (index + 1 === next) {
            samples.push({ requests: next, ...sample() });
            next += 1_000_000;
          }
        },
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const after = sample();
    log(
      `  Poisson ρ 0.9 on sync 4 x 3, exponential 2 s: ${totals.requests.toLocaleString('en-US')} requests in ${seconds.toFixed(1)} s`,
    );
    log(`  ${'requests'.padStart(12)} ${'heap used'.padStart(10)} ${'rss'.padStart(10)}`);
    log(
      `  ${'before'.padStart(12)} ${mb(before.heap).padStart(10)} ${mb(before.rss).padStart(10)}`,
    );
    for (const s of samples)
      log(
        `  ${s.requests.toLocaleString('en-US').padStart(12)} ${mb(s.heap).padStart(10)} ${mb(s.rss).padStart(10)}`,
      );
    const first = samples[0] ?? { requests: 0, ...before };
    const last = samples[samples.length - 1] ?? { requests: totals.requests, ...after };
    const heapGrowth = last.heap - first.heap;
    const rssGrowth = last.rss - first.rss;
    log(
      `  from ${first.requests / 1e6}M to ${last.requests / 1e6}M requests: heap ${heapGrowth >= 0 ? '+' : ''}${mb(heapGrowth)}, rss ${rssGrowth >= 0 ? '+' : ''}${mb(rssGrowth)}; at most ${totals.maxInSystem} requests in the system at once`,
    );
    log(
      `  recording every request instead would hold ${mb(totals.requests * RECORDED_BYTES_PER_REQUEST)} of per-request arrays; mean wait ${waits.stats(0).meanWait.toFixed(3)} s`,
    );
    const figures: BenchFigure[] = [
      {
        case: 'streaming 10M',
        name: 'heap growth from 1M to 10M requests',
        value: heapGrowth,
        unit: 'bytes',
        goal: { op: '<=', value: 16e6 },
      },
      {
        case: 'streaming 10M',
        name: 'rss growth from 1M to 10M requests',
        value: rssGrowth,
        unit: 'bytes',
        goal: { op: '<=', value: 32e6 },
      },
      {
        case: 'streaming 10M',
        name: 'peak rss',
        value: Math.max(...samples.map((s) => s.rss), after.rss),
        unit: 'bytes',
      },
      {
        case: 'streaming 10M',
        name: 'simulated requests per second',
        value: totals.requests / seconds,
        unit: 'requests/s',
      },
    ];
    return figures;
  },
};
