import type { FigureTolerance, FigureValues } from './figure-fidelity.js';
import type { TopologySummary } from './summary.js';

/**
 * The sse-fanout figures in the figure-fidelity table (results/scenario-figures.ts): the share
 * of clients each event reached (real, emulated, and the model's share for clients spread
 * evenly), the same given where the real clients actually were (the model's share given the
 * spread: a memory registry reaches exactly the publishing worker's clients), the events that
 * reached every client, and the delivery latency (real milliseconds; the model has none), its
 * median split where the client's worker wrote the event (the registry's hop, then the stream's).
 * Pure.
 */

export const FANOUT_TOLERANCES = {
  /** Shares within 5 points: with 48 clients on 8 workers one client is 2 points. */
  share: { relative: 0, absolute: 0.05 } satisfies FigureTolerance,
  /** Events reaching everyone: within 10% or 1 event. */
  events: { relative: 0.1, absolute: 1 } satisfies FigureTolerance,
  /**
   * Delivery latency within 50% or 10 real ms: tens of milliseconds on a shared machine,
   * where another process's time slice is of the same order.
   */
  latency: { relative: 0.5, absolute: 10 } satisfies FigureTolerance,
};

export function fanoutSource(real: TopologySummary, twin: TopologySummary | null): FigureValues[] {
  const f = real.fanout;
  if (f === undefined) return [];
  const e = twin?.fanout ?? null;
  const source = 'deliveries.ndjson';
  return [
    {
      figure: 'reachPerEvent',
      label: `reach per event (${f.registry})`,
      unit: 'share',
      tolerance: FANOUT_TOLERANCES.share,
      real: f.share.mean,
      emulated: e?.share.mean ?? null,
      predicted: f.predicted.share,
      source,
    },
    {
      figure: 'reachGivenSpread',
      label: 'reach given the clients spread',
      unit: 'share',
      tolerance: FANOUT_TOLERANCES.share,
      real: f.share.mean,
      emulated: null,
      predicted: f.predicted.shareGivenSpread,
      source,
    },
    {
      figure: 'eventsReachingAll',
      label: 'events reaching all',
      unit: 'count',
      tolerance: FANOUT_TOLERANCES.events,
      real: f.reachedAll,
      emulated: e?.reachedAll ?? null,
      predicted: f.predicted.share >= 1 ? f.events : 0,
      source,
    },
    {
      figure: 'deliveryP50',
      label: 'delivery p50',
      unit: 'real-ms',
      tolerance: FANOUT_TOLERANCES.latency,
      real: f.latencyMs?.p50 ?? null,
      emulated: e?.latencyMs?.p50 ?? null,
      predicted: null,
      source,
    },
    {
      figure: 'toWriteP50',
      label: 'publish to written, p50',
      unit: 'real-ms',
      tolerance: FANOUT_TOLERANCES.latency,
      real: f.latencyParts?.toWrite?.p50 ?? null,
      emulated: e?.latencyParts?.toWrite?.p50 ?? null,
      predicted: null,
      source,
    },
    {
      figure: 'toReceiveP50',
      label: 'written to received, p50',
      unit: 'real-ms',
      tolerance: FANOUT_TOLERANCES.latency,
      real: f.latencyParts?.toReceive?.p50 ?? null,
      emulated: e?.latencyParts?.toReceive?.p50 ?? null,
      predicted: null,
      source,
    },
    {
      figure: 'deliveryP95',
      label: 'delivery p95',
      unit: 'real-ms',
      tolerance: FANOUT_TOLERANCES.latency,
      real: f.latencyMs?.p95 ?? null,
      emulated: e?.latencyMs?.p95 ?? null,
      predicted: null,
      source,
    },
  ];
}

/** What was measured about the delivery latencies, for their notes when outside. */
export function fanoutExplanations(
  real: TopologySummary,
  twin: TopologySummary | null,
): Record<string, string> {
  const f = real.fanout;
  if (f === undefined) return {};
  const e = twin?.fanout;
  const ms = (x: number | null | undefined): string =>
    x === null || x === undefined ? 'n/a' : `${x.toFixed(1)} ms`;
  const split = (x: typeof f | undefined): string =>
    `${ms(x?.latencyParts?.toWrite?.p50)} until written + ${ms(x?.latencyParts?.toReceive?.p50)} after`;
  const cores = (t: TopologySummary | null): string => {
    const c = t?.measurementQuality?.otherCores;
    return c === null || c === undefined ? 'n/a' : c.toFixed(2);
  };
  const why = `median split real ${split(f)}${e === undefined ? '' : `, emulated ${split(e)}`}; other processes held ${cores(real)} cores during the real run${twin === null ? '' : `, ${cores(twin)} during the emulated one`}`;
  return {
    deliveryP50: why,
    deliveryP95: why,
    toWriteP50: why,
    toReceiveP50: why,
  };
}
