import type { InputIssue } from '../errors.js';
import { splitThresholdOption } from '../gate/threshold.js';

/**
 * Command-line values merged into the scenario document before it is validated, so that every
 * check (the real-time ones included) sees the values that run, and a value given on the command
 * line is judged exactly as the same value in the file. Pure.
 *
 *   file (raw JSON) ──► withOverrides ──► validateScenario ──► Scenario
 *                          │                    │
 *                          └── origins ─────────┴──► an issue at an overridden field names the option
 */

/** What the command line may set in a scenario. */
export interface ScenarioOverrides {
  /** --time-scale */
  timeScale?: number;
  /** --seed */
  seed?: number;
  /** --replications */
  replications?: number;
  /** --repeat */
  repeat?: number;
  /** --threshold, each `key=condition`, added to the file's thresholds. */
  thresholds?: readonly string[];
  /** --only: the topologies to run (a selection, applied after validation). */
  only?: readonly string[];
  /** --url: the one topology --only leaves goes to a server already running here. */
  url?: string;
}

/** Where a field of the merged document came from: the option as the user wrote it. */
export interface Origin {
  /** The field's path as validation names it (`timeScale`, `thresholds.wait[1]`). */
  path: string;
  option: string;
}

export type Merged =
  | { ok: true; document: Record<string, unknown>; origins: Origin[] }
  | { ok: false; issues: InputIssue[] };

/**
 * The file's document with the command line's values in place. Problems the document cannot
 * show (an option not of its form, --only naming no topology, --url with several) are returned
 * as issues named by their option.
 */
export function withOverrides(raw: unknown, overrides: ScenarioOverrides): Merged {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: true, document: raw as Record<string, unknown>, origins: [] };
  const document: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  const origins: Origin[] = [];
  const issues: InputIssue[] = [];
  const set = (path: string, value: unknown, option: string): void => {
    const [head, tail] = path.split('.') as [string, string | undefined];
    if (tail === undefined) document[head] = value;
    else document[head] = { ...asObject(document[head]), [tail]: value };
    origins.push({ path, option });
  };
  if (overrides.timeScale !== undefined) {
    set('timeScale', overrides.timeScale, `--time-scale ${overrides.timeScale}`);
    // The command line's scale is every topology's: a topology's own gives way to it.
    if (Array.isArray(document.topologies))
      document.topologies = document.topologies.map((t: unknown) => {
        if (t === null || typeof t !== 'object' || !('timeScale' in t)) return t;
        const { timeScale: _, ...rest } = t as Record<string, unknown>;
        return rest;
      });
  }
  if (overrides.repeat !== undefined)
    set('repeat', overrides.repeat, `--repeat ${overrides.repeat}`);
  if (overrides.seed !== undefined) set('model.seed', overrides.seed, `--seed ${overrides.seed}`);
  if (overrides.replications !== undefined)
    set('model.replications', overrides.replications, `--replications ${overrides.replications}`);
  if (overrides.thresholds !== undefined && overrides.thresholds.length > 0) {
    const thresholds: Record<string, unknown> = { ...asObject(document.thresholds) };
    for (const text of overrides.thresholds) {
      const split = splitThresholdOption(text);
      if (!split.ok) {
        issues.push({ path: `--threshold "${text}"`, message: split.message, fix: split.fix });
        continue;
      }
      const { key, condition } = split.value;
      const existing = thresholds[key];
      const conditions = Array.isArray(existing) ? [...existing] : [];
      if (!Array.isArray(existing))
        origins.push({ path: `thresholds.${key}`, option: `--threshold "${text}"` });
      origins.push({
        path: `thresholds.${key}[${conditions.length}]`,
        option: `--threshold "${text}"`,
      });
      thresholds[key] = [...conditions, condition];
    }
    document.thresholds = thresholds;
  }
  if (overrides.url !== undefined) {
    const url = urlInto(document, overrides.url, overrides.only, issues);
    if (url !== null) origins.push(url);
  } else if (overrides.only !== undefined) selected(document, overrides.only, issues);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, document, origins };
}

/**
 * Issues of the merged document as the user should read them: one at a field the command line
 * set names the option instead (`--time-scale 0.001`), with the same message and fix a file
 * would get.
 */
export function attribute(issues: readonly InputIssue[], origins: readonly Origin[]): InputIssue[] {
  return issues.map((issue) => {
    const origin = origins.find(
      (o) =>
        issue.path === o.path ||
        issue.path.startsWith(`${o.path}.`) ||
        issue.path.startsWith(`${o.path}[`),
    );
    return origin === undefined ? issue : { ...issue, path: origin.option };
  });
}

/** True when an issue was attributed to a command-line option. */
export function isOptionIssue(issue: InputIssue): boolean {
  return issue.path.startsWith('--');
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Indices of the topologies --only selects; every name must be a topology's. */
function selected(
  document: Record<string, unknown>,
  only: readonly string[],
  issues: InputIssue[],
): number[] {
  const topologies = Array.isArray(document.topologies) ? (document.topologies as unknown[]) : [];
  const names = topologies.map((t) => asObject(t).name);
  const unknown = only.filter((name) => !names.includes(name));
  if (unknown.length > 0)
    issues.push({
      path: `--only ${unknown.map((n) => `"${n}"`).join(', ')}`,
      message: 'no such topology in the scenario',
      fix: `choose from ${names.map((n) => `"${String(n)}"`).join(', ')}`,
    });
  return names.flatMap((name, i) => (only.includes(name as string) ? [i] : []));
}

/**
 * --url: the one topology being run goes to a server already running there, as if the file
 * said `"url"` for it (and no port: the harness starts nothing). With several topologies it would
 * measure one server several times under different model shapes, so --only must pick one.
 */
function urlInto(
  document: Record<string, unknown>,
  url: string,
  only: readonly string[] | undefined,
  issues: InputIssue[],
): Origin | null {
  const topologies = Array.isArray(document.topologies)
    ? [...(document.topologies as unknown[])]
    : [];
  const chosen =
    only === undefined ? topologies.map((_, i) => i) : selected(document, only, issues);
  if (issues.length > 0) return null;
  const index = chosen[0];
  if (chosen.length !== 1 || index === undefined) {
    issues.push({
      path: `--url ${url}`,
      message: `--url sends the load to one server, but ${chosen.length} topologies would run`,
      fix: `add --only with the topology that describes the server (${topologies.map((t) => `"${String(asObject(t).name)}"`).join(', ')})`,
    });
    return null;
  }
  const { port: _port, ...topology } = asObject(topologies[index]);
  topologies[index] = { ...topology, url };
  document.topologies = topologies;
  return { path: `topologies[${index}].url`, option: `--url ${url}` };
}
