/**
 * Entry point of a load-generating worker thread (see threads.ts): runs its share of a task from
 * an agreed instant and sends back what it recorded.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Recorder } from './recorder.js';
import { type LoadContext, type LoadTask, runTaskHere, type Share } from './run-load.js';

export interface ThreadInput {
  task: LoadTask;
  context: Omit<LoadContext, 'threads' | 'signal' | 'onSettled'>;
  share: Share;
}

export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'settled'; settled: number }
  | {
      type: 'done';
      result: Omit<Awaited<ReturnType<typeof runTaskHere>>, 'recorder'>;
      snapshot: ReturnType<Recorder['snapshot']>;
    };

const port = parentPort;
if (port === null) throw new Error('thread-main runs only as a worker thread');
const input = workerData as ThreadInput;
const controller = new AbortController();
let settled = 0;
let posted = 0;
const progress = setInterval(() => {
  if (settled !== posted) {
    posted = settled;
    port.postMessage({ type: 'settled', settled } satisfies ThreadMessage);
  }
}, 50);

port.on('message', async (message: { type: 'go'; startAtNs: bigint } | { type: 'abort' }) => {
  if (message.type === 'abort') {
    controller.abort('abort');
    return;
  }
  const recorder = new Recorder({ keepRequests: input.context.keepRequests });
  const { recorder: _, ...result } = await runTaskHere(
    input.task,
    {
      ...input.context,
      signal: controller.signal,
      onSettled: (n) => {
        settled = n;
      },
    },
    recorder,
    input.share,
    message.startAtNs,
  );
  clearInterval(progress);
  port.postMessage({ type: 'done', result, snapshot: recorder.snapshot() } satisfies ThreadMessage);
});
port.postMessage({ type: 'ready' } satisfies ThreadMessage);
