/**
 * The interactive response time law N = X(R + Z) for closed users (Denning & Buzen, "The
 * Operational Analysis of Queueing Network Models", ACM Computing Surveys 10(3), 1978): N the
 * time-average number of users in the system, X their throughput (per second), R the mean
 * response time and Z the think time per interaction (total think time over completions, as
 * operational analysis defines it), in seconds. Like Little's law it holds for any system; a
 * measured run that breaks it has lost requests, or had users neither waiting nor thinking (a
 * client too busy to send on time).
 */
export interface InteractiveInput {
  users: number;
  throughput: number;
  meanResponse: number;
  meanThink: number;
  /** Relative tolerance; default 0.05. */
  tolerance?: number;
}

export interface InteractiveCheck {
  users: number;
  /** X(R + Z). */
  predicted: number;
  /** (N − X(R + Z)) / X(R + Z); 0 when both are 0. */
  relativeError: number;
  holds: boolean;
}

export function checkInteractiveLaw(input: InteractiveInput): InteractiveCheck {
  const predicted = input.throughput * (input.meanResponse + input.meanThink);
  const relativeError =
    predicted === 0
      ? input.users === 0
        ? 0
        : Number.POSITIVE_INFINITY
      : (input.users - predicted) / predicted;
  return {
    users: input.users,
    predicted,
    relativeError,
    holds: Math.abs(relativeError) <= (input.tolerance ?? 0.05),
  };
}
