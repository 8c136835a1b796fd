/**
 * Fidelity of a scenario's own figures (issue 16): beside the wait table of results/fidelity.ts,
 * the figures a lifecycle or jobs scenario is about (worker recycles, time with fewer workers,
 * boots and timeouts, time to first and to all workers serving, job runs per slot, the
 * successor's gap), each as real, emulated and predicted with a verdict. Generic: a row is a list
 * of named figures with a tolerance each, so any scenario can add its own. Pure.
 *
 * A value is within its tolerance of the real one when |x - real| <= max(relative x |real|,
 * absolute): counts of a few events (2 recycles against 3) need an absolute floor that a
 * relative bound alone would not give. A prediction given as a range (the model's takeover lies
 * between two instants) is within when the real value lies in the range widened by the same
 * tolerance. Such a range says the figure is a draw (where a kill falls against the followers'
 * retries and the job's slots changes from run to run), and a run gives one draw on each side: the
 * emulation is within when it is near the real value, or when both lie in the model's range.
 */

/** What a figure counts or measures; says how to print it. */
export type FigureUnit = 'count' | 'seconds' | 'per-slot' | 'share' | 'real-ms';

export interface FigureTolerance {
  /** Fraction of the real value. */
  relative: number;
  /** In the figure's own unit. */
  absolute: number;
}

/** One figure of one real topology, as the caller gathered it. */
export interface FigureValues {
  /** Stable key, e.g. "recycles". */
  figure: string;
  /** What a reader sees, e.g. "worker recycles". */
  label: string;
  unit: FigureUnit;
  tolerance: FigureTolerance;
  real: number | null;
  /** The emulated counterpart's measurement; null without one (or when it has no such figure). */
  emulated: number | null;
  /** The model's value; null when the model does not predict this figure. */
  predicted: number | null;
  /** The model's range, when it predicts one rather than a value (predicted is then its middle). */
  predictedRange?: { min: number; max: number };
  /** Where the real value comes from ("gunicorn's log", "jobs.ndjson"), shown beside it. */
  source?: string;
}

export interface FigureCell extends FigureValues {
  /** (x - real) / real; null when either side is missing; Infinity when real is 0 and x is not. */
  emulatedError: number | null;
  predictedError: number | null;
  /** null when there is nothing to judge. */
  emulatedWithin: boolean | null;
  predictedWithin: boolean | null;
}

export interface FigureFidelityRow {
  topology: string;
  kind: string;
  emulated: string | null;
  cells: FigureCell[];
  /** No judged cell outside its tolerance. */
  withinBounds: boolean;
  /** One line per cell outside its tolerance, saying by how much. */
  notes: string[];
}

export interface FigureFidelityInput {
  topology: string;
  kind: string;
  emulated: string | null;
  figures: readonly FigureValues[];
  /** Why a figure differs, from what was measured, keyed by figure; added to its note. */
  explanations?: Readonly<Record<string, string>>;
}

const finite = (x: number | null): x is number => x !== null && Number.isFinite(x);

function relative(x: number | null, real: number | null): number | null {
  if (!finite(x) || !finite(real)) return null;
  if (real === 0) return x === 0 ? 0 : Number.POSITIVE_INFINITY;
  return (x - real) / Math.abs(real);
}

/** Whether `x` is within `tolerance` of `real`; null when either is missing. */
export function withinTolerance(
  x: number | null,
  real: number | null,
  tolerance: FigureTolerance,
): boolean | null {
  if (!finite(x) || !finite(real)) return null;
  // A hair of slack: 7/9 - 6/9 is a little over 1/9 in floating point.
  return Math.abs(x - real) <= slackOf(real, tolerance) * (1 + 1e-9);
}

function slackOf(real: number, tolerance: FigureTolerance): number {
  return Math.max(tolerance.relative * Math.abs(real), tolerance.absolute);
}

function rangeWithin(
  range: { min: number; max: number },
  real: number | null,
  tolerance: FigureTolerance,
): boolean | null {
  if (!finite(real)) return null;
  const slack = slackOf(real, tolerance) * (1 + 1e-9);
  return real >= range.min - slack && real <= range.max + slack;
}

export function figureCell(values: FigureValues): FigureCell {
  const { real, emulated, predicted, tolerance, predictedRange: range } = values;
  const near = withinTolerance(emulated, real, tolerance);
  const bothDrawn =
    range !== undefined &&
    finite(emulated) &&
    rangeWithin(range, real, tolerance) === true &&
    rangeWithin(range, emulated, tolerance) === true;
  return {
    ...values,
    emulatedError: relative(emulated, real),
    predictedError: relative(predicted, real),
    emulatedWithin: near === false && bothDrawn ? true : near,
    predictedWithin:
      values.predictedRange === undefined
        ? withinTolerance(predicted, real, tolerance)
        : rangeWithin(values.predictedRange, real, tolerance),
  };
}

/** A figure's value with its unit, for notes and the terminal. */
export function formatFigure(value: number | null, unit: FigureUnit): string {
  if (!finite(value)) return 'n/a';
  switch (unit) {
    case 'count':
      return Number.isInteger(value) ? String(value) : value.toFixed(1);
    case 'per-slot':
      return value.toFixed(2);
    case 'seconds':
      return `${value.toFixed(2)} s`;
    // A fraction (of clients reached) shown as a percentage.
    case 'share':
      return `${(value * 100).toFixed(1)}%`;
    // Real milliseconds: costs the time scale does not stretch (an event's delivery).
    case 'real-ms':
      return `${value.toFixed(1)} ms real`;
  }
}

const signed = (x: number | null): string =>
  x === null ? 'n/a' : Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%` : 'inf';

function describeTolerance(t: FigureTolerance, unit: FigureUnit): string {
  const parts = [
    t.relative > 0 ? `±${(t.relative * 100).toFixed(0)}%` : null,
    t.absolute > 0 ? `±${formatFigure(t.absolute, unit)}` : null,
  ].filter((x): x is string => x !== null);
  return parts.length === 0 ? 'exact' : parts.join(' or ');
}

export function figureFidelityRow(input: FigureFidelityInput): FigureFidelityRow {
  const cells = input.figures.map(figureCell);
  const notes: string[] = [];
  for (const cell of cells) {
    const missed = [
      cell.predictedWithin === false
        ? `the model ${cell.predictedRange === undefined ? formatFigure(cell.predicted, cell.unit) : `${formatFigure(cell.predictedRange.min, cell.unit)}-${formatFigure(cell.predictedRange.max, cell.unit)}`} (${signed(cell.predictedError)})`
        : null,
      cell.emulatedWithin === false
        ? `the emulation ${formatFigure(cell.emulated, cell.unit)} (${signed(cell.emulatedError)})`
        : null,
    ].filter((x): x is string => x !== null);
    if (missed.length === 0) continue;
    const why = input.explanations?.[cell.figure];
    notes.push(
      `${cell.label}: ${missed.join(' and ')} against the real ${formatFigure(cell.real, cell.unit)}${cell.source === undefined ? '' : ` (${cell.source})`}, tolerance ${describeTolerance(cell.tolerance, cell.unit)}${why === undefined ? '' : `; ${why}`}`,
    );
  }
  return {
    topology: input.topology,
    kind: input.kind,
    emulated: input.emulated,
    cells,
    withinBounds: cells.every((c) => c.predictedWithin !== false && c.emulatedWithin !== false),
    notes,
  };
}
