import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../targets/package-root.js';
import { spawnCli, tempDir } from '../test-support/spawn-cli.js';

/**
 * The corpus of invalid inputs (corpus/invalid-inputs.json): every entry is run through the
 * real CLI, as a user would meet it, and must be answered with its documented exit code, its
 * error code, a message naming the field or option and a fix, no stack trace, and nothing run.
 * Entries that are code (a module that would write a file) prove that scenario files are data:
 * the file they would write never appears.
 */

interface Entry {
  name: string;
  text?: string;
  patch?: Record<string, unknown>;
  scenario?: unknown;
  path?: string;
  file?: string;
  args?: string[];
  command?: string[];
  exit: number;
  code: string | null;
  field: string;
  message: string;
  fix: string;
}

const corpus = JSON.parse(
  readFileSync(join(packageRoot(), 'harness', 'scenario', 'corpus', 'invalid-inputs.json'), 'utf8'),
) as { inputs: Entry[] };

/** A small valid scenario the patches change. */
const BASE = {
  name: 'corpus',
  timeScale: 1,
  load: { executor: 'burst', users: 2 },
  service: { time: '10ms' },
  topologies: [{ name: 't', kind: 'sync' }],
};

function patched(patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...BASE };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

async function mapPool<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

test(`every one of the ${corpus.inputs.length} invalid inputs is explained: field, fix, exit code, no stack trace`, {
  timeout: 300_000,
}, async (t) => {
  assert.ok(corpus.inputs.length >= 50, 'the corpus holds at least 50 inputs');
  const names = new Set(corpus.inputs.map((e) => e.name));
  assert.equal(names.size, corpus.inputs.length, 'every entry has its own name');
  const root = await tempDir(t);
  const marker = join(root, 'scenario-code-ran');

  const results = await mapPool(corpus.inputs, 4, async (entry) => {
    const dir = join(root, `e${corpus.inputs.indexOf(entry)}`);
    await mkdir(dir);
    const reports = join(dir, 'reports');
    const scenarioFile = join(dir, entry.file ?? 'scenario.json');
    const fill = (text: string): string =>
      text
        .replaceAll('{{MARKER}}', marker)
        .replaceAll('{{DIR}}', dir)
        .replaceAll('{{SCENARIO}}', scenarioFile)
        .replaceAll('{{LONG}}', 'x'.repeat(3000));
    let body: string | undefined;
    if (entry.text !== undefined) body = fill(entry.text);
    else if (entry.patch !== undefined) body = fill(JSON.stringify(patched(entry.patch)));
    else if (entry.scenario !== undefined) body = fill(JSON.stringify(entry.scenario));
    if (body !== undefined) await writeFile(scenarioFile, body);
    else if (entry.path === undefined && entry.command === undefined)
      await writeFile(scenarioFile, JSON.stringify(BASE));
    const argv = entry.command?.map(fill) ?? [
      'scenario',
      entry.path === undefined ? scenarioFile : join(dir, entry.path),
      '--reports-dir',
      reports,
      ...(entry.args ?? []).map(fill),
    ];
    const run = await spawnCli(argv);
    return { entry, run, reports, field: fill(entry.field) };
  });

  const failures: string[] = [];
  for (const { entry, run, reports, field } of results) {
    const problems: string[] = [];
    const stderr = run.stderr;
    if (run.code !== entry.exit) problems.push(`exit ${run.code}, expected ${entry.exit}`);
    if (entry.code !== null && !stderr.includes(`error ${entry.code}: `))
      problems.push(`no "error ${entry.code}: "`);
    if (entry.code === null && !/^error: /m.test(stderr)) problems.push('no "error: " line');
    const named =
      entry.code === 'E_SCENARIO_INVALID'
        ? stderr.includes(`  ${field}: `)
        : stderr.includes(field);
    if (!named) problems.push(`does not name ${field}`);
    if (!new RegExp(entry.message).test(stderr))
      problems.push(`message does not match /${entry.message}/`);
    const fixes =
      entry.code === null
        ? stderr
        : stderr
            .split('\n')
            .filter((line) => /^\s*fix: /.test(line))
            .join('\n');
    if (entry.code !== null && fixes === '') problems.push('no fix: line');
    if (!new RegExp(entry.fix).test(fixes)) problems.push(`fix does not match /${entry.fix}/`);
    if (/\n\s+at /.test(stderr) || /internal error/.test(stderr)) problems.push('a stack trace');
    if (existsSync(reports)) problems.push('something ran: the reports directory exists');
    if (problems.length > 0)
      failures.push(
        `${entry.name}: ${problems.join('; ')}\n    stderr: ${stderr.trim().replace(/\n/g, '\n            ')}`,
      );
  }
  t.diagnostic(
    `${results.length} invalid inputs tried, ${results.length - failures.length} explained`,
  );
  assert.equal(existsSync(marker), false, 'code in a scenario file never ran');
  assert.deepEqual(failures, []);
});
