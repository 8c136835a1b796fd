import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RunDirInvalidError } from '../errors.js';
import type { GateOutcome } from '../gate/gate.js';
import type { PredictedRecord } from '../results/predicted-record.js';
import type { RequestRecord } from '../results/request-record.js';
import type { RunSummary } from '../results/summary.js';
import type { Scenario } from '../scenario/types.js';

/**
 * Reads what a report needs from a run directory: summary.json and scenario.json (required: a
 * directory without them is not a run), requests.ndjson and predicted.ndjson (or their .partial
 * files while a run is writing them), and gate.json when the run had a gate. What is missing is
 * said in `notes`, which the page shows.
 */
export interface RunFiles {
  dir: string;
  summary: RunSummary;
  scenario: Scenario;
  requests: RequestRecord[];
  predicted: PredictedRecord[] | null;
  gate: GateOutcome | null;
  notes: string[];
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function parseNdjson<T>(text: string, file: string): T[] {
  return readNdjson<T>(text, file).records;
}

/**
 * The records of an NDJSON file, and whether its last line was cut: a run killed (SIGKILL, a
 * power cut) or a disk that filled while a line was written leaves a last line without its
 * newline that does not parse. The whole lines before it are what was measured and are kept
 * (issue 17: a report on a half-written run refused it whole). A bad line anywhere else is
 * damage, and refused.
 */
export function readNdjson<T>(text: string, file: string): { records: T[]; cut: boolean } {
  const records: T[] = [];
  const lines = text.split('\n');
  let cut = false;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line) as T);
    } catch (error) {
      // Only the last line, with no newline after it, can be a line still being written.
      if (i === lines.length - 1) {
        cut = true;
        return;
      }
      throw new RunDirInvalidError(`${file}:${i + 1} is not valid JSON`, {
        fix: 'the run directory is damaged; run the scenario again',
        cause: error,
      });
    }
  });
  return { records, cut };
}

async function readJson(dir: string, name: string): Promise<unknown> {
  const path = join(dir, name);
  let text: string | undefined;
  try {
    text = await readOptional(path);
  } catch (error) {
    throw new RunDirInvalidError(`cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (text === undefined) {
    throw new RunDirInvalidError(`${dir} is not a run directory: it has no ${name}`, {
      fix: 'give a directory a scenario run wrote, e.g. reports/contest-200/latest',
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RunDirInvalidError(`${path} is not valid JSON`, {
      fix: 'the run directory is damaged; run the scenario again',
      cause: error,
    });
  }
}

/** The staged file if the final one is not there yet. */
export async function readStaged(
  dir: string,
  name: string,
): Promise<{ text: string; partial: boolean } | undefined> {
  const final = await readOptional(join(dir, name));
  if (final !== undefined) return { text: final, partial: false };
  const partial = await readOptional(join(dir, `${name}.partial`));
  return partial === undefined ? undefined : { text: partial, partial: true };
}

export async function readRun(dir: string): Promise<RunFiles> {
  const summary = (await readJson(dir, 'summary.json')) as RunSummary;
  if (
    typeof summary !== 'object' ||
    summary === null ||
    summary.schemaVersion !== 1 ||
    !Array.isArray(summary.topologies)
  ) {
    throw new RunDirInvalidError(
      `${join(dir, 'summary.json')} is not a run summary (schemaVersion 1)`,
      {
        fix: 'give a directory a scenario run wrote, e.g. reports/contest-200/latest',
      },
    );
  }
  const scenario = (await readJson(dir, 'scenario.json')) as Scenario;
  const notes: string[] = [];
  if (!summary.complete) {
    notes.push(
      summary.finishedAt === null
        ? 'The run had not finished when this report was built.'
        : 'The run did not complete: the charts cover the topologies it finished.',
    );
  }
  const requestsFile = await readStaged(dir, 'requests.ndjson');
  if (requestsFile === undefined) notes.push('requests.ndjson is missing: no per-request charts.');
  else if (requestsFile.partial) notes.push('requests.ndjson is still being written (.partial).');
  const predictedFile = await readStaged(dir, 'predicted.ndjson');
  if (predictedFile === undefined) {
    notes.push(
      'predicted.ndjson is missing (a run from before the harness stored its predictions): the charts show the measurement only.',
    );
  }
  const gateText = await readOptional(join(dir, 'gate.json'));
  let gate: GateOutcome | null = null;
  if (gateText !== undefined) {
    try {
      gate = JSON.parse(gateText) as GateOutcome;
    } catch {
      notes.push('gate.json is not valid JSON and is not shown.');
    }
  }
  const requests =
    requestsFile === undefined
      ? { records: [], cut: false }
      : readNdjson<RequestRecord>(requestsFile.text, join(dir, 'requests.ndjson'));
  const predicted =
    predictedFile === undefined
      ? null
      : readNdjson<PredictedRecord>(predictedFile.text, join(dir, 'predicted.ndjson'));
  for (const [name, file] of [
    ['requests.ndjson', requests],
    ['predicted.ndjson', predicted],
  ] as const)
    if (file?.cut === true)
      notes.push(
        `${name} ends in a line cut short (the run was killed, or the disk filled, while writing it): the ${file.records.length} whole lines before it are shown.`,
      );
  return {
    dir,
    summary,
    scenario,
    requests: requests.records,
    predicted: predicted === null ? null : predicted.records,
    gate,
    notes,
  };
}
