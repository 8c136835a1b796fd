/**
 * Operational laws that must hold for any measured run, whatever the system (Denning & Buzen,
 * "The Operational Analysis of Queueing Network Models", ACM Computing Surveys 10(3), 1978;
 * Little, Operations Research 9(3), 1961). A run that breaks them has lost or mistimed requests.
 */

export interface LawCheck {
  /** The two sides, in the law's own units. */
  left: number;
  right: number;
  /** |left − right| / left */
  relativeError: number;
  holds: boolean;
  tolerance: number;
}

function check(left: number, right: number, tolerance: number): LawCheck {
  const relativeError =
    left === 0 ? (right === 0 ? 0 : Number.POSITIVE_INFINITY) : Math.abs(left - right) / left;
  return { left, right, relativeError, holds: relativeError <= tolerance, tolerance };
}

/**
 * Little's law L = λW: the time-average number of requests in the system equals the rate at
 * which they complete times the mean time each spends in it. `meanInFlight` is L measured by
 * sampling, `throughput` λ (per second) and `meanSojourn` W (seconds) over the same window.
 */
export function littlesLaw(
  meanInFlight: number,
  throughput: number,
  meanSojourn: number,
  tolerance = 0.05,
): LawCheck {
  return check(meanInFlight, throughput * meanSojourn, tolerance);
}

/**
 * The interactive response time law N = X(R + Z) for closed users: N the time-average number of
 * users in the system, throughput X (per second), mean response time R and think time Z per
 * interaction (total think time over completions, as operational analysis defines it), in
 * seconds. Time a user spends neither waiting nor thinking (a client too busy to send on time)
 * breaks it.
 */
export function interactiveLaw(
  users: number,
  throughput: number,
  meanResponse: number,
  meanThink: number,
  tolerance = 0.05,
): LawCheck {
  return check(users, throughput * (meanResponse + meanThink), tolerance);
}
