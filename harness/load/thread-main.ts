/**
 * Entry point of a load-generating worker thread (see threads.ts): runs its share of a task from
 * an agreed instant and sends back what it recorded.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Recorder } from './recorder.js';
import { type LoadContext, type LoadTask, runTaskHere, type Share } from './run-load.js';

export interface ThreadInput {
  task: LoadTask;
  context: Omit<LoadContext, 'threads' | 'signal' | 'onSettled' | 'shard' | 'startAt'>;
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

let readyPosted = false;
let go: (startAtNs: bigint) => void = () => {};
const agreedStart = new Promise<bigint>((resolve) => {
  go = resolve;
});
/** The executor is set up: tell the parent, and wait for the instant every thread starts at. */
const startAt = (): Promise<bigint> => {
  if (!readyPosted) {
    readyPosted = true;
    port.postMessage({ type: 'ready' } satisfies ThreadMessage);
  }
  return agreedStart;
};

port.on('message', (message: { type: 'go'; startAtNs: bigint } | { type: 'abort' }) => {
  if (message.type === 'abort') controller.abort('abort');
  else go(message.startAtNs);
});

// The executor sets up (a warm burst opens its connections) before it asks for the start, so
// the agreed instant comes after every thread's set-up.
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
  startAt,
);
clearInterval(progress);
// An executor that ended before asking (nothing to send) still lets the parent go on.
if (!readyPosted) port.postMessage({ type: 'ready' } satisfies ThreadMessage);
port.postMessage({ type: 'done', result, snapshot: recorder.snapshot() } satisfies ThreadMessage);
