/**
 * The one owner of the time scale: every conversion between scenario time (what a scenario says
 * and every figure reports) and real time (what the servers sleep and the clocks measure) is a
 * method here, so that no other code multiplies or divides by `timeScale`. Pure.
 *
 *   scenario seconds ──× timeScale──► real seconds      (timeScale = real seconds per scenario second)
 *   real ns, µs, ms, s ──÷ timeScale──► scenario seconds
 */
export class Clock {
  constructor(readonly timeScale: number) {}

  /** Real seconds a span of scenario seconds takes. */
  realSeconds(scenarioSeconds: number): number {
    return scenarioSeconds * this.timeScale;
  }

  /** Real milliseconds a span of scenario seconds takes (timers, service times sent to targets). */
  realMs(scenarioSeconds: number): number {
    return scenarioSeconds * this.timeScale * 1000;
  }

  /** Real microseconds, rounded to whole ones (timers of the targets' jobs). */
  realUsRounded(scenarioSeconds: number): number {
    return Math.round(scenarioSeconds * this.timeScale * 1e6);
  }

  /** Real nanoseconds (the load generator's monotonic schedule). */
  realNs(scenarioSeconds: number): number {
    return scenarioSeconds * this.timeScale * 1e9;
  }

  /** Scenario seconds of a span of real seconds. */
  fromRealSeconds(seconds: number): number {
    return seconds / this.timeScale;
  }

  /** Scenario seconds of a span of real milliseconds. */
  fromRealMs(ms: number): number {
    return ms / 1000 / this.timeScale;
  }

  /** Scenario seconds of a span of real microseconds. */
  fromRealUs(us: number): number {
    return us / 1e6 / this.timeScale;
  }

  /** Scenario seconds of a span of real nanoseconds. */
  fromRealNs(ns: number): number {
    return ns / 1e9 / this.timeScale;
  }
}
