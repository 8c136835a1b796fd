import autocannon from 'autocannon';
import { checkDestination } from './destination.js';
import type { ExecutorOptions, ExecutorOutcome } from './executor.js';
import { since } from './raw-request.js';

/**
 * The throughput executor: as many requests as the target will take over K keep-alive
 * connections (optionally pipelined) for a duration, driven by autocannon. It answers "how much
 * can this serve?", not "how long do users wait?": each connection sends its next request as
 * soon as the previous answer arrives, so its latencies are those of a closed loop.
 *
 * With `keepRequests`, every response's latency goes to the recorder as a request whose intended
 * start is when it was written (autocannon reports the response time; it does not expose the
 * server's headers). With `threads` > 1, autocannon runs its own worker threads and reports
 * only the aggregate.
 */
export interface ThroughputOptions extends Omit<ExecutorOptions, 'share'> {
  connections: number;
  pipelining: number;
  /** Real seconds. */
  durationSeconds: number;
  keepRequests: boolean;
  threads: number;
}

export interface ThroughputOutcome extends ExecutorOutcome {
  /** Responses received. */
  completed: number;
  /** Mean responses per real second over the run. */
  requestsPerSecond: number;
  /** Latency percentiles in real milliseconds, from autocannon's own histogram. */
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

export function runThroughput(options: ThroughputOptions): Promise<ThroughputOutcome> {
  checkDestination(options.origin, options.allowRemote);
  const { recorder } = options;
  const url = `${options.origin}${options.path(0)}`;
  const startNs = process.hrtime.bigint();
  recorder.begin(startNs);
  let index = 0;
  return new Promise<ThroughputOutcome>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: options.connections,
        pipelining: options.pipelining,
        duration: options.durationSeconds,
        timeout: Math.max(1, Math.ceil(options.requestTimeoutMs / 1000)),
        ...(options.threads > 1 ? { workers: options.threads } : {}),
        // One request shape for all (autocannon repeats one request; weighted paths and success
        // statuses other than 2xx are not its to follow).
        ...(options.request === undefined
          ? {}
          : {
              method: options.request.method as autocannon.Request['method'],
              headers: options.request.headers,
              ...(options.request.body === null ? {} : { body: options.request.body }),
            }),
      },
      (error, result) => {
        options.signal?.removeEventListener('abort', stop);
        if (error) {
          reject(error);
          return;
        }
        resolve({
          startNs,
          sent: result.requests.sent,
          elapsedNs: since(startNs),
          completed: result.requests.total,
          requestsPerSecond: result.requests.total / result.duration,
          latencyMs: {
            mean: result.latency.mean,
            p50: result.latency.p50,
            p90: result.latency.p90,
            p99: result.latency.p99,
            max: result.latency.max,
          },
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
        });
      },
    );
    const stop = (): void => instance.stop();
    options.signal?.addEventListener('abort', stop, { once: true });
    if (options.keepRequests && options.threads <= 1) {
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        const completeNs = since(startNs);
        const writtenNs = completeNs - responseTime * 1e6;
        recorder.record({
          index: index++,
          intendedNs: writtenNs,
          writtenNs,
          completeNs,
          status: statusCode,
        });
      });
    }
  });
}
