import type { FigureTolerance, FigureValues } from './figure-fidelity.js';
import type { TopologySummary } from './summary.js';

/**
 * The async-capacity figures in the figure-fidelity table (results/scenario-figures.ts): the
 * most requests in handlers at once, real beside emulated beside predicted, each from the
 * requests' handler starts and ends (the same computation for all three); and, where the app
 * counted them itself (X-Handlers-At-Once, the bundled FastAPI app), its own count against the
 * model. Only for topologies that state a claim or set a handler: the figure is what the
 * claim "2 workers x 100 = 200 at once" is about. Pure.
 */

/** Counts of requests at once within 25% or 2 (a burst's last few arrive as the first finish). */
export const HANDLERS_TOLERANCE: FigureTolerance = { relative: 0.25, absolute: 2 };

export function handlersAtOnceSource(
  real: TopologySummary,
  twin: TopologySummary | null,
): FigureValues[] {
  const h = real.handlersAtOnce;
  if (h === undefined || (h.claimed === null && real.asyncWorker === undefined)) return [];
  const out: FigureValues[] = [
    {
      figure: 'handlersAtOnce',
      label: 'most in handlers at once',
      unit: 'count',
      tolerance: HANDLERS_TOLERANCE,
      real: h.measured,
      emulated: twin?.handlersAtOnce?.measured ?? null,
      predicted: h.predicted,
      source: 'handler start and end (X-Server-Clock)',
    },
  ];
  if (h.appCounted !== undefined)
    out.push({
      figure: 'handlersAtOnceApp',
      label: "in handlers, app's count",
      unit: 'count',
      tolerance: HANDLERS_TOLERANCE,
      real: h.appCounted.total,
      emulated: null,
      predicted: h.predicted,
      source: `X-Handlers-At-Once, summed over ${h.appCounted.perProcess.length} worker processes`,
    });
  return out;
}

/** What was measured about the handlers-at-once figures, for their notes when outside. */
export function handlersAtOnceExplanations(
  real: TopologySummary,
  twin: TopologySummary | null,
): Record<string, string> {
  const h = real.handlersAtOnce;
  if (h === undefined || (h.claimed === null && real.asyncWorker === undefined)) return {};
  const ms = (x: number | null | undefined): string =>
    x === null || x === undefined ? 'n/a' : `${x.toFixed(0)} ms`;
  const parts = [
    `the burst took ${ms(real.dispatchSpreadMs)} real to send${twin === null ? '' : ` (emulated ${ms(twin.dispatchSpreadMs)})`}: requests sent after others finished cannot be in handlers with them`,
  ];
  if (h.appCounted !== undefined)
    parts.push(
      `the app counted ${h.appCounted.perProcess.map((p) => p.most).join(' + ')} per worker process`,
    );
  const why = parts.join('; ');
  return { handlersAtOnce: why, handlersAtOnceApp: why };
}
