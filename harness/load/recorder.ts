import * as hdr from 'hdr-histogram-js';
import type { Distribution } from '../stats/distribution.js';
import type { RawRequest } from './raw-request.js';

/**
 * Where executors put every finished request. It always keeps HDR histograms and counters, in
 * bounded memory however long the run; it keeps the requests themselves only when asked
 * (`keepRequests`), and can hand each to a streaming writer instead (`onRequest`).
 *
 * Histograms hold microseconds of real time, 3 significant digits:
 *   latency            complete − intended   (corrected for coordinated omission)
 *   latencyUncorrected complete − written    (what a closed-loop tool would report)
 *   wait               handler start − intended, from the server's clock
 *   waitUncorrected    handler start − written
 *   lateness           written − intended    (how late the client was)
 */
export const HISTOGRAMS = [
  'latency',
  'latencyUncorrected',
  'wait',
  'waitUncorrected',
  'lateness',
] as const;
export type HistogramName = (typeof HISTOGRAMS)[number];

/** A request counts as late when it was written more than this after its intended start. */
export const LATE_AFTER_NS = 1_000_000;

export interface RecorderOptions {
  keepRequests: boolean;
  onRequest?: (request: RawRequest) => void;
}

export interface Counts {
  completed: number;
  failed: number;
  late: number;
  /** Failed requests by class. */
  errors: Record<string, number>;
}

function histogram(): hdr.Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: 3,
  });
}

const toMicros = (ns: number): number => Math.max(0, Math.round(ns / 1000));

/** A histogram's figures, in the microseconds it holds. */
export type MicrosSummary = Distribution;

/** What a recorder holds, in a form that crosses worker threads (structured clone). */
export interface RecorderSnapshot {
  requests: RawRequest[];
  /** Each histogram as HdrHistogram's compressed base64 encoding. */
  histograms: Record<HistogramName, string>;
  counts: Counts;
  sojournNs: number;
  residenceNs: number;
  failedResidenceNs: number;
  firstWrittenNs: number;
  lastCompleteNs: number;
}

export class Recorder {
  readonly requests: RawRequest[] = [];
  readonly histograms: Record<HistogramName, hdr.Histogram>;
  readonly counts: Counts = { completed: 0, failed: 0, late: 0, errors: {} };
  /** Sum of (complete − written) over completed requests, ns: their response times. */
  sojournNs = 0;
  /**
   * Sum of (complete − dispatched) over completed requests, ns: the time each was in flight by the
   * executor's count (from being handed to the client), for Little's law.
   */
  residenceNs = 0;
  /**
   * The same over failed requests, from being handed to the client to their failure (an HTTP
   * error's response end, or the reset, refusal or timeout): they were in flight too.
   */
  failedResidenceNs = 0;
  firstWrittenNs = Number.POSITIVE_INFINITY;
  lastCompleteNs = 0;
  private readonly options: RecorderOptions;
  /** The load's start in CLOCK_MONOTONIC microseconds, to place the server's instants. */
  private startUs = 0;

  constructor(options: RecorderOptions) {
    this.options = options;
    this.histograms = Object.fromEntries(HISTOGRAMS.map((name) => [name, histogram()])) as Record<
      HistogramName,
      hdr.Histogram
    >;
  }

  /** Everything recorded so far, to send to another thread. */
  snapshot(): RecorderSnapshot {
    return {
      requests: this.requests,
      histograms: Object.fromEntries(
        HISTOGRAMS.map((name) => [name, hdr.encodeIntoCompressedBase64(this.histograms[name])]),
      ) as Record<HistogramName, string>,
      counts: this.counts,
      sojournNs: this.sojournNs,
      residenceNs: this.residenceNs,
      failedResidenceNs: this.failedResidenceNs,
      firstWrittenNs: this.firstWrittenNs,
      lastCompleteNs: this.lastCompleteNs,
    };
  }

  /**
   * Adds another recorder's content to this one. Exact: histograms add bucket by bucket, counts
   * and sums add, requests are appended (each keeps its own index).
   */
  absorb(other: RecorderSnapshot): void {
    if (this.options.keepRequests)
      for (const request of other.requests) this.requests.push(request);
    for (const name of HISTOGRAMS) {
      const decoded = hdr.decodeFromCompressedBase64(other.histograms[name]);
      this.histograms[name].add(decoded);
      decoded.destroy();
    }
    this.counts.completed += other.counts.completed;
    this.counts.failed += other.counts.failed;
    this.counts.late += other.counts.late;
    for (const [kind, n] of Object.entries(other.counts.errors))
      this.counts.errors[kind] = (this.counts.errors[kind] ?? 0) + n;
    this.sojournNs += other.sojournNs;
    this.residenceNs += other.residenceNs;
    this.failedResidenceNs += other.failedResidenceNs;
    this.firstWrittenNs = Math.min(this.firstWrittenNs, other.firstWrittenNs);
    this.lastCompleteNs = Math.max(this.lastCompleteNs, other.lastCompleteNs);
  }

  /** Count, mean, percentiles and maximum of one histogram, in microseconds. */
  summary(name: HistogramName): MicrosSummary {
    const h = this.histograms[name];
    if (h.totalCount === 0)
      return {
        count: 0,
        mean: Number.NaN,
        p50: Number.NaN,
        p95: Number.NaN,
        p99: Number.NaN,
        max: Number.NaN,
      };
    return {
      count: h.totalCount,
      mean: h.mean,
      p50: h.getValueAtPercentile(50),
      p95: h.getValueAtPercentile(95),
      p99: h.getValueAtPercentile(99),
      max: h.maxValue,
    };
  }

  /** Called by the executor with the instant its timeline counts from. */
  begin(startNs: bigint): void {
    this.startUs = Number(startNs / 1000n);
  }

  record(request: RawRequest): void {
    if (this.options.keepRequests) this.requests.push(request);
    this.options.onRequest?.(request);
    const { intendedNs, writtenNs, completeNs } = request;
    if (writtenNs !== undefined) {
      this.firstWrittenNs = Math.min(this.firstWrittenNs, writtenNs);
      this.histograms.lateness.recordValue(toMicros(writtenNs - intendedNs));
      if (writtenNs - intendedNs > LATE_AFTER_NS) this.counts.late += 1;
    }
    const handedOverNs = request.dispatchedNs ?? writtenNs;
    if (request.error !== undefined) {
      const endNs = completeNs ?? request.failedNs;
      if (handedOverNs !== undefined && endNs !== undefined)
        this.failedResidenceNs += endNs - handedOverNs;
      this.counts.failed += 1;
      this.counts.errors[request.error.kind] = (this.counts.errors[request.error.kind] ?? 0) + 1;
      return;
    }
    if (completeNs === undefined) return;
    this.counts.completed += 1;
    this.lastCompleteNs = Math.max(this.lastCompleteNs, completeNs);
    this.histograms.latency.recordValue(toMicros(completeNs - intendedNs));
    if (writtenNs !== undefined) {
      this.histograms.latencyUncorrected.recordValue(toMicros(completeNs - writtenNs));
      this.sojournNs += completeNs - writtenNs;
    }
    if (handedOverNs !== undefined) this.residenceNs += completeNs - handedOverNs;
    const startUs = request.server?.startUs;
    if (startUs !== undefined) {
      const startNs = (startUs - this.startUs) * 1000;
      this.histograms.wait.recordValue(toMicros(startNs - intendedNs));
      if (writtenNs !== undefined)
        this.histograms.waitUncorrected.recordValue(toMicros(startNs - writtenNs));
    }
  }
}
