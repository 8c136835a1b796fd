import { formatSeconds } from '../scenario/duration.js';

/**
 * Words every chart shares: axis titles that state the unit and the time scale, and the sample
 * size. Every figure in a report names its unit, its time scale and how many requests it rests
 * on (DESIGN.md, "Measuring honestly").
 */

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * A chart's time scale: one number (real seconds per scenario second), or, for a chart of several
 * topologies that ran at time scales of their own, each topology's.
 */
export type ChartTimeScale = number | ReadonlyArray<{ topology: string; timeScale: number }>;

/** "wait (scenario s; 1 s = 0.1 s real)", or "wait (s, real time)" at time scale 1. */
export function timeAxisTitle(what: string, timeScale: ChartTimeScale): string {
  if (typeof timeScale !== 'number') return `${what} (scenario s)`;
  return timeScale === 1
    ? `${what} (s, real time)`
    : `${what} (scenario s; 1 s = ${timeScale} s real)`;
}

/** A sentence on the time scale for subtitles. */
export function timeScaleNote(timeScale: ChartTimeScale): string {
  if (typeof timeScale !== 'number')
    return `times in scenario seconds; 1 scenario second ran as ${timeScale.map((t) => `${formatSeconds(t.timeScale)} real on ${t.topology}`).join(', ')}`;
  return timeScale === 1
    ? 'times in real seconds'
    : `times in scenario seconds; 1 scenario second ran as ${formatSeconds(timeScale)} real`;
}

/** "n = 200" */
export function sampleSize(n: number): string {
  return `n = ${n}`;
}

/** Number format of seconds in tooltips: three significant digits without trailing zeros. */
export const SECONDS_FORMAT = '.3~f';
