import type { RunSummary } from '../results/summary.js';
import { type BaselineOptions, compareWithBaseline } from './baseline.js';
import { evaluateThresholds } from './evaluate.js';
import { decideGate, type GateOutcome } from './gate.js';
import type { Threshold } from './threshold.js';

/** What a run is gated on: its thresholds (scenario file and --threshold) and a baseline. */
export interface GateConfig {
  /** Parsed once, when the scenario was validated. */
  thresholds: readonly Threshold[];
  baseline: { summary: RunSummary; options: BaselineOptions } | null;
}

/** True when there is anything to gate on. */
export function hasGate(config: GateConfig): boolean {
  return config.thresholds.length > 0 || config.baseline !== null;
}

/**
 * The gate of a finished run. `waits` holds, per topology, the waits of its requests that
 * succeeded (scenario seconds, any order). Pure.
 */
export function runGate(
  summary: RunSummary,
  waits: ReadonlyMap<string, readonly number[]>,
  config: GateConfig,
): GateOutcome {
  const topologies = summary.topologies.map((t) => ({
    summary: t,
    waits: [...(waits.get(t.name) ?? [])].sort((a, b) => a - b),
  }));
  const quality = Object.fromEntries(
    summary.topologies.flatMap((t) =>
      t.measurementQuality === undefined ? [] : [[t.name, t.measurementQuality]],
    ),
  );
  return decideGate({
    scenario: summary.scenario,
    runId: summary.runId,
    quality,
    thresholds: evaluateThresholds(config.thresholds, topologies),
    baseline:
      config.baseline === null
        ? null
        : compareWithBaseline(summary, config.baseline.summary, config.baseline.options),
  });
}
