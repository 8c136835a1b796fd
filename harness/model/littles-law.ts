/**
 * Little's law, L = λW: over any stretch of time, the mean number of requests in the system
 * equals the arrival rate times the mean time each spends in it (J. D. C. Little, "A proof for
 * the queuing formula L = λW", Operations Research 9(3), 1961, 383-387). It holds for any
 * arrival pattern, service and discipline, exactly over a window that starts and ends empty, so a
 * measurement or a simulation that breaks it has lost or double-counted requests, or mixed
 * clocks.
 */

export interface LittleInput {
  /** λ, requests per second. */
  arrivalRate: number;
  /** W, mean time in the system (seconds). */
  meanTimeInSystem: number;
  /** L, time-average number of requests in the system. */
  meanInSystem: number;
  /** Relative tolerance; default 0.02. */
  tolerance?: number;
}

export interface LittleCheck {
  /** L as given. */
  meanInSystem: number;
  /** λW. */
  predicted: number;
  /** (L − λW) / λW; 0 when both are 0. */
  relativeError: number;
  holds: boolean;
}

export function checkLittlesLaw(input: LittleInput): LittleCheck {
  const predicted = input.arrivalRate * input.meanTimeInSystem;
  const tolerance = input.tolerance ?? 0.02;
  const relativeError =
    predicted === 0
      ? input.meanInSystem === 0
        ? 0
        : Number.POSITIVE_INFINITY
      : (input.meanInSystem - predicted) / predicted;
  return {
    meanInSystem: input.meanInSystem,
    predicted,
    relativeError,
    holds: Math.abs(relativeError) <= tolerance,
  };
}

/**
 * Little's law from per-request records: arrival and departure instants (seconds; a request not
 * yet departed has NaN and counts as in the system until the window's end). Over the window
 * [from, to] (default: first arrival to last departure):
 *
 *   λ = arrivals in the window / window length
 *   W = mean over those arrivals of (min(departure, to) − arrival)
 *   L = (∫ N(t) dt over the window) / window length, from every request's time in the window
 *
 * Requests already in the system when the window opens add to L but not to λ and W, which is
 * why a window that does not start and end empty only approximately satisfies the law.
 */
export function littlesLawFromRecords(
  arrivals: ArrayLike<number>,
  departures: ArrayLike<number>,
  options: { from?: number; to?: number; tolerance?: number } = {},
): LittleCheck & { arrivalRate: number; meanTimeInSystem: number } {
  const n = arrivals.length;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    first = Math.min(first, arrivals[i] as number);
    const d = departures[i] as number;
    last = Math.max(last, Number.isNaN(d) ? (arrivals[i] as number) : d);
  }
  const from = options.from ?? first;
  const to = options.to ?? last;
  const length = to - from;
  let arrived = 0;
  let sojourn = 0;
  let area = 0;
  for (let i = 0; i < n; i++) {
    const a = arrivals[i] as number;
    const d = Number.isNaN(departures[i] as number) ? to : Math.min(departures[i] as number, to);
    area += Math.max(0, Math.min(d, to) - Math.max(a, from));
    if (a >= from && a <= to) {
      arrived++;
      sojourn += d - a;
    }
  }
  const arrivalRate = length > 0 ? arrived / length : 0;
  const meanTimeInSystem = arrived > 0 ? sojourn / arrived : 0;
  const check = checkLittlesLaw({
    arrivalRate,
    meanTimeInSystem,
    meanInSystem: length > 0 ? area / length : 0,
    ...(options.tolerance === undefined ? {} : { tolerance: options.tolerance }),
  });
  return { ...check, arrivalRate, meanTimeInSystem };
}
