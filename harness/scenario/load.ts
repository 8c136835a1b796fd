import { readdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { packageRoot } from '../../targets/package-root.js';
import {
  HarnessError,
  type InputIssue,
  OptionError,
  ScenarioInvalidError,
  ScenarioNotFoundError,
  ScenarioSyntaxError,
  ThresholdInvalidError,
} from '../errors.js';
import { jsonAmbiguities } from './json-ambiguities.js';
import { jsonErrorOffset, lineAndColumn } from './json-position.js';
import { attribute, isOptionIssue, type ScenarioOverrides, withOverrides } from './overrides.js';
import { readScenarioText } from './read-scenario-file.js';
import type { Scenario } from './types.js';
import { validateScenario } from './validate.js';

/** The folder of built-in scenarios. */
export function scenariosDir(): string {
  return join(packageRoot(), 'scenarios');
}

/** Names of the built-in scenarios, sorted. */
export async function listScenarios(dir = scenariosDir()): Promise<string[]> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries
    .filter((e) => e.endsWith('.json'))
    .map((e) => e.slice(0, -5))
    .sort();
}

/** Why a scenario path that exists cannot be read, by the system's error code, and the fix. */
const UNREADABLE: Record<string, { what: string; fix: string }> = {
  ELOOP: {
    what: 'its symbolic links form a loop (ELOOP)',
    fix: 'point the link at the scenario file itself (ls -l shows where each link goes)',
  },
  EACCES: {
    what: 'permission denied (EACCES)',
    fix: 'make the file readable by this user (chmod u+r), or give another path',
  },
  EPERM: {
    what: 'operation not permitted (EPERM)',
    fix: 'make the file readable by this user, or give another path',
  },
  ENOTDIR: {
    what: 'a part of the path is a file, not a directory (ENOTDIR)',
    fix: 'check the path: a file name appears where a directory should be',
  },
  ENAMETOOLONG: {
    what: 'the path is longer than the system allows (ENAMETOOLONG)',
    fix: 'give a shorter path',
  },
};

/**
 * Resolves `ref`, a built-in scenario name (`contest-200`) or a path to a JSON file, reads it,
 * merges the command line's values into it and validates the result once (overrides.ts).
 * Scenario files are data: they are parsed as JSON, never executed.
 */
export async function loadScenario(
  ref: string,
  dir = scenariosDir(),
  overrides: ScenarioOverrides = {},
): Promise<Scenario> {
  const looksLikePath = ref.includes('/') || ref.includes('\\') || extname(ref) === '.json';
  const file = looksLikePath ? resolve(ref) : join(dir, `${ref}.json`);
  let text: string;
  try {
    text = await readScenarioText(file, ref);
  } catch (error) {
    if (error instanceof HarnessError) throw error;
    const known = await listScenarios(dir);
    const code = (error as NodeJS.ErrnoException).code;
    // A path that is there but cannot be read is not "not found": say what stops it.
    const unreadable = UNREADABLE[code ?? ''];
    if (unreadable !== undefined)
      throw new ScenarioNotFoundError(
        `scenario "${ref}" cannot be read (${file}: ${unreadable.what})`,
        {
          fix: unreadable.fix,
          cause: error,
        },
      );
    const reason = code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ScenarioNotFoundError(`scenario "${ref}" not found (${file}: ${reason})`, {
      fix: `name a built-in scenario (${known.join(', ') || 'none found'}) or give a path to a .json file`,
      cause: error,
    });
  }
  // Editors on Windows may start a UTF-8 file with a byte order mark, which JSON.parse refuses.
  const json = text.replace(/^\uFEFF/, '');
  const raw = parseJson(json, file);
  // What JSON.parse accepts in silence (a key given twice, 1e400): listed with the rest.
  const ambiguous = ambiguityIssues(json);
  const merged = withOverrides(raw, overrides);
  if (!merged.ok) throw invalid(file, [...ambiguous, ...merged.issues]);
  const validation = validateScenario(merged.document, file, basename(file, '.json'));
  if (!validation.ok) {
    // A number beyond a double reads as Infinity, which the validator sees as null: said once.
    const overflow = new Set(
      ambiguous.filter((a) => a.message.includes('Infinity')).map((a) => a.path),
    );
    const rest = attribute(validation.issues, merged.origins).filter((i) => !overflow.has(i.path));
    throw invalid(file, [...ambiguous, ...rest]);
  }
  if (ambiguous.length > 0) throw invalid(file, ambiguous);
  const { only } = overrides;
  if (only === undefined) return validation.scenario;
  // --only selects among topologies the whole file validated: a selection, not a value.
  const topologies = validation.scenario.topologies.filter((t) => only.includes(t.name));
  return { ...validation.scenario, topologies };
}

/**
 * The error for a refused scenario: the file's when any problem is in the file; otherwise the
 * options' (all --threshold: E_THRESHOLD_INVALID, as README.md lists it).
 */
function invalid(file: string, issues: readonly InputIssue[]): HarnessError {
  if (!issues.every(isOptionIssue)) return new ScenarioInvalidError(file, issues);
  const lines = issues.map((i) => `${i.path}: ${i.message}\n    fix: ${i.fix}`).join('\n  ');
  if (issues.every((i) => i.path.startsWith('--threshold')))
    return new ThresholdInvalidError(
      `${issues.length === 1 ? 'a threshold is' : `${issues.length} thresholds are`} malformed:\n  ${lines}`,
      {
        fix: 'thresholds are written metric=condition, e.g. --threshold "wait=p(95)<5s"; scenarios/README.md has the grammar',
      },
    );
  const [first] = issues;
  if (issues.length === 1 && first !== undefined)
    return new OptionError(`${first.path}: ${first.message}`, { fix: first.fix });
  return new OptionError(`${issues.length} problems:\n  ${lines}`, {
    fix: 'correct the options named above (see --help)',
  });
}

/** A key given twice or a number beyond a double, as problems of the file with their place. */
function ambiguityIssues(text: string): InputIssue[] {
  return jsonAmbiguities(text).map((a) => {
    const { line, column } = lineAndColumn(text, a.offset);
    return a.problem === 'duplicate-key'
      ? {
          path: a.path,
          message: `"${a.text}" is given twice in one object (again at line ${line}, column ${column}); JSON keeps only the last`,
          fix: `keep one "${a.text}" in that object`,
        }
      : {
          path: a.path,
          message: `${a.text} (line ${line}, column ${column}) is beyond any number: it reads as ${a.text.startsWith('-') ? '-' : ''}Infinity`,
          fix: "use a finite number within the field's range",
        };
  });
}

/** JSON.parse with the failure located as file:line:column. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    // V8 names the position of some mistakes only; the recogniser finds it for every one.
    const named = /position (\d+)/.exec(message)?.[1];
    const offset = named === undefined ? jsonErrorOffset(text) : Number(named);
    let where = file;
    if (offset >= 0) {
      const { line, column } = lineAndColumn(text, offset);
      where = `${file}:${line}:${column}`;
    }
    throw new ScenarioSyntaxError(`${where}: not valid JSON (${message})`, {
      fix: 'scenario files are plain JSON data, never code, comments or YAML: check for a missing comma or quote, or a trailing comma, at that place',
      cause: error,
    });
  }
}
