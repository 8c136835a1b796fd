import { Worker } from 'node:worker_threads';
import { composeShare } from '../run/shard.js';
import { checkDestination } from './destination.js';
import { Recorder } from './recorder.js';
import { type LoadContext, type LoadResult, type LoadTask, runTaskHere } from './run-load.js';
import type { ThreadInput, ThreadMessage } from './thread-main.js';

/** From the go message to the agreed start: time to deliver it and wake every thread. */
const START_LEAD_MS = 20;

/**
 * Runs a load, in this thread or spread over `context.threads` worker threads when one core
 * cannot generate it. Each thread takes every k-th request (or user) of the same plan and all
 * start at one agreed instant on the shared monotonic clock; their recordings are then merged
 * exactly (histograms bucket by bucket, counts and sums added, records appended).
 *
 *   main ──spawn──► thread 0..k-1 ──"ready"──► main ──"go" at T──► all ──"done"──► merge
 *
 * The throughput executor spreads itself (autocannon's own workers) and always runs here.
 */
export async function runLoad(task: LoadTask, context: LoadContext): Promise<LoadResult> {
  checkDestination(context.origin, context.allowRemote);
  if (context.threads <= 1 || task.executor === 'throughput') {
    const { shard, startAt, ...here } = context;
    return runTaskHere(
      task,
      here,
      new Recorder({ keepRequests: context.keepRequests }),
      shard === undefined ? undefined : composeShare(shard, { part: 0, of: 1 }),
      startAt,
    );
  }
  const { signal, onSettled, threads, shard, startAt, ...shared } = context;
  const entry = new URL('./thread-main.js', import.meta.url);
  const settledBy = new Array<number>(threads).fill(0);
  const workers: Worker[] = [];
  const results: Array<Promise<Extract<ThreadMessage, { type: 'done' }>>> = [];
  const readiness: Array<Promise<void>> = [];
  for (let part = 0; part < threads; part++) {
    const input: ThreadInput = {
      task,
      context: shared,
      share: composeShare(shard ?? null, { part, of: threads }),
    };
    const worker = new Worker(entry, { workerData: input });
    workers.push(worker);
    let ready = (): void => {};
    readiness.push(
      new Promise<void>((resolve) => {
        ready = resolve;
      }),
    );
    results.push(
      new Promise((resolve, reject) => {
        worker.on('message', (message: ThreadMessage) => {
          if (message.type === 'ready') ready();
          else if (message.type === 'settled') {
            settledBy[part] = message.settled;
            onSettled?.(
              settledBy.reduce((a, b) => a + b, 0),
              Number.NaN,
            );
          } else resolve(message);
        });
        worker.once('error', reject);
        worker.once('exit', (code) =>
          reject(new Error(`load thread ${part} exited with code ${code} before reporting`)),
        );
      }),
    );
  }
  const abort = (): void => {
    for (const worker of workers) worker.postMessage({ type: 'abort' });
  };
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await Promise.all(readiness);
    // Every thread is set up (ready comes when its executor asks for the start); the lead is
    // for the message to reach each of them and wake it.
    const leadNs = process.hrtime.bigint() + BigInt(START_LEAD_MS * 1_000_000);
    // A shard's start instant, when later than the lead (it is never earlier than now).
    const asked = await startAt?.();
    const startAtNs = asked !== undefined && asked > leadNs ? asked : leadNs;
    for (const worker of workers) worker.postMessage({ type: 'go', startAtNs });
    if (signal?.aborted) abort();
    const done = await Promise.all(results);
    return merge(task, context.keepRequests, done);
  } finally {
    signal?.removeEventListener('abort', abort);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function merge(
  task: LoadTask,
  keepRequests: boolean,
  parts: Array<Extract<ThreadMessage, { type: 'done' }>>,
): LoadResult {
  const recorder = new Recorder({ keepRequests });
  for (const part of parts) recorder.absorb(part.snapshot);
  const first = parts[0]?.result;
  const elapsedNs = Math.max(...parts.map((p) => p.result.elapsedNs));
  const result: LoadResult = {
    task,
    recorder,
    startNs: first?.startNs ?? process.hrtime.bigint(),
    sent: parts.reduce((sum, p) => sum + p.result.sent, 0),
    elapsedNs,
  };
  if (parts.every((p) => p.result.meanInFlight !== undefined)) {
    // Each thread averaged over its own span; weigh by span to average over the longest.
    result.meanInFlight = parts.reduce(
      (sum, p) => sum + (p.result.meanInFlight as number) * (p.result.elapsedNs / elapsedNs),
      0,
    );
  }
  if (parts.every((p) => p.result.closed !== undefined)) {
    const closed = parts.map((p) => p.result.closed as NonNullable<LoadResult['closed']>);
    result.closed = {
      users: closed.reduce((s, c) => s + c.users, 0),
      thinkTotalNs: closed.reduce((s, c) => s + c.thinkTotalNs, 0),
      thinks: closed.reduce((s, c) => s + c.thinks, 0),
      activeUserNs: closed.reduce((s, c) => s + c.activeUserNs, 0),
    };
  }
  return result;
}
