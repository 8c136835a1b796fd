import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../results/atomic-write.js';
import { buildIndexPage, type IndexEntry, type IndexHeadline } from './index-page.js';

/** What the index reads of a summary.json; every field may be missing in a damaged file. */
interface SummaryHead {
  startedAt?: string;
  complete?: boolean;
  environment?: { loadAverage?: number[]; cpus?: number };
  topologies?: Array<{
    name?: string;
    requests?: number;
    errors?: number;
    measured?: {
      count?: number;
      meanWait?: number | null;
      p95Wait?: number | null;
      makespan?: number | null;
    };
  }>;
}

const numberOrNull = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

function headlineOf(t: NonNullable<SummaryHead['topologies']>[number]): IndexHeadline {
  const served = (t.measured?.count ?? 0) > 0;
  return {
    topology: String(t.name ?? ''),
    meanWait: served ? numberOrNull(t.measured?.meanWait) : null,
    p95Wait: served ? numberOrNull(t.measured?.p95Wait) : null,
    makespan: served ? numberOrNull(t.measured?.makespan) : null,
    errors: numberOrNull(t.errors) ?? 0,
    requests: numberOrNull(t.requests) ?? 0,
  };
}

/**
 * Scans `<reportsRoot>/<scenario>/<run-id>/` for runs and writes `<reportsRoot>/index.html`.
 * A run directory is one with a summary.json; `latest` links are skipped.
 */
export async function listRuns(reportsRoot: string): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  const scenarios = await readdir(reportsRoot, { withFileTypes: true }).catch(() => []);
  for (const scenario of scenarios) {
    if (!scenario.isDirectory()) continue;
    const runs = await readdir(join(reportsRoot, scenario.name), { withFileTypes: true }).catch(
      () => [],
    );
    for (const run of runs) {
      if (!run.isDirectory()) continue;
      const dir = join(reportsRoot, scenario.name, run.name);
      const summaryText = await readFile(join(dir, 'summary.json'), 'utf8').catch(() => undefined);
      if (summaryText === undefined) continue;
      const entry: IndexEntry = {
        scenario: scenario.name,
        runId: run.name,
        startedAt: null,
        complete: false,
        topologies: [],
        gate: null,
        hasReport: await exists(join(dir, 'report.html')),
        href: `${scenario.name}/${run.name}`,
        problem: null,
      };
      try {
        const summary = JSON.parse(summaryText) as SummaryHead;
        entry.startedAt = summary.startedAt ?? null;
        entry.complete = summary.complete === true;
        entry.topologies = (summary.topologies ?? []).map((t) => String(t.name ?? ''));
        entry.headlines = (summary.topologies ?? []).map(headlineOf);
        entry.machine = {
          loadAverage: numberOrNull(summary.environment?.loadAverage?.[0]),
          cpus: numberOrNull(summary.environment?.cpus),
        };
      } catch (error) {
        entry.problem = `summary.json: ${(error as Error).message}`;
      }
      const gateText = await readFile(join(dir, 'gate.json'), 'utf8').catch(() => undefined);
      if (gateText !== undefined) {
        try {
          entry.gate = (JSON.parse(gateText) as { passed?: boolean }).passed ? 'passed' : 'failed';
        } catch {
          // An unreadable gate.json shows no gate; the run's own report says why.
        }
      }
      entries.push(entry);
    }
  }
  return entries;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function writeRunIndex(reportsRoot: string): Promise<string> {
  const path = join(reportsRoot, 'index.html');
  await writeFileAtomic(path, buildIndexPage(await listRuns(reportsRoot)));
  return path;
}
