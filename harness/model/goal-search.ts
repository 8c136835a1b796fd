import { type GoalCondition, unmetConditions } from './goal.js';
import { type WhatIfInput, type WhatIfResult, whatIf } from './what-if.js';

/** What `--vary` may change while searching for a goal. */
export const VARIABLES = ['replicas', 'workers'] as const;
export type Variable = (typeof VARIABLES)[number];

export interface CurvePoint {
  value: number;
  result: WhatIfResult;
  met: boolean;
}

export interface GoalSearch {
  vary: Variable;
  /** The smallest value meeting the goal, or null when none up to `max` does. */
  found: number | null;
  /** Every value tried, from 1 upwards, up to the first that meets the goal. */
  curve: CurvePoint[];
}

/**
 * The smallest number of replicas (or workers per replica) meeting every condition, trying 1, 2,
 * 3, ... up to `max`, in order. Trying each in turn rather than bisecting keeps the whole curve
 * for the user and does not assume the figures fall monotonically: with random effects (a random
 * balancer, gthread accept races) a figure averaged over runs can wobble by its spread.
 */
export function searchGoal(
  base: WhatIfInput,
  conditions: readonly GoalCondition[],
  vary: Variable,
  max: number,
): GoalSearch {
  const curve: CurvePoint[] = [];
  for (let value = 1; value <= max; value++) {
    const topology = { ...base.topology, [vary]: value };
    if (vary === 'replicas' && value === 1) topology.balancer = 'round-robin';
    const result = whatIf({ ...base, topology });
    const met = unmetConditions(conditions, result.figures).length === 0;
    curve.push({ value, result, met });
    if (met) return { vary, found: value, curve };
  }
  return { vary, found: null, curve };
}
