import { thresholdsDocument } from '../gate/threshold.js';
import type { Scenario } from './types.js';

/**
 * A validated scenario as scenario.json records it: every value as it ran, thresholds in the
 * form a file writes them (metric key -> conditions as written). Pure.
 */
export function scenarioDocument(scenario: Scenario): unknown {
  return scenario.thresholds === undefined
    ? scenario
    : { ...scenario, thresholds: thresholdsDocument(scenario.thresholds) };
}
