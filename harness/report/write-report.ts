import { realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ResultsWriteError, RunDirInvalidError } from '../errors.js';
import { writeFileAtomic } from '../results/atomic-write.js';
import { loadVegaAssets } from './assets.js';
import { attributionCharts, qualityNotes } from './attribution-chart.js';
import { buildCharts } from './charts.js';
import { observedSections } from './observed-section.js';
import { buildReportPage } from './page.js';
import { readObserved } from './read-observed.js';
import { readRun } from './read-run.js';
import { writeRunIndex } from './run-index.js';
import { whatIfCurve } from './what-if.js';

export interface WrittenReport {
  /** report.html */
  report: string;
  /** The index of runs it rebuilt, if the run sits in a reports directory. */
  index: string | undefined;
}

/**
 * Builds report.html for a run directory from the files in it, writes it atomically beside
 * summary.json, and rebuilds `<reports>/index.html` when the run sits in a reports directory
 * (`<reports>/<scenario>/<run-id>/`).
 */
export async function writeReport(runDir: string): Promise<WrittenReport> {
  let dir: string;
  try {
    dir = await realpath(runDir);
  } catch (error) {
    throw new RunDirInvalidError(`${runDir} does not exist`, {
      fix: 'give a run directory, e.g. reports/contest-200/latest',
      cause: error,
    });
  }
  const run = await readRun(dir);
  const { scenario, summary } = run;
  const ran = new Set(summary.topologies.map((t) => t.name));
  const whatIf = whatIfCurve({
    topologies: scenario.topologies.filter((t) => ran.has(t.name)),
    scenario,
    cores: summary.environment.cpus,
    stickiness: Object.fromEntries(
      summary.topologies.map((t) => [t.name, t.predicted.acceptRace?.stickiness ?? 0]),
    ),
  });
  const charts = buildCharts({
    summary,
    requests: run.requests,
    predicted: run.predicted,
    whatIf,
    model: scenario.model,
  });
  const observed = observedSections({ summary, ...(await readObserved(dir)) });
  const html = buildReportPage({
    summary,
    scenario,
    charts: [...charts, ...observed.charts, ...attributionCharts(summary)],
    sections: observed.sections,
    gate: run.gate,
    notes: [...run.notes, ...qualityNotes(summary)],
    assets: await loadVegaAssets(),
  });
  const report = join(dir, 'report.html');
  const reportsRoot = dirname(dirname(dir));
  const inReports = basename(dirname(dir)) === summary.scenario;
  try {
    await writeFileAtomic(report, html);
    return { report, index: inReports ? await writeRunIndex(reportsRoot) : undefined };
  } catch (error) {
    throw new ResultsWriteError(`cannot write the report of ${dir}: ${(error as Error).message}`, {
      fix: 'check that the run directory is writable and the disk has room',
      cause: error,
    });
  }
}
