#!/usr/bin/env node
/**
 * `npm run bench [-- <benchmark>... ] [-- --json]`: runs the benchmarks (all by default) and
 * prints their figures; with --json, one JSON object with every figure at the end. Benchmarks
 * print figures and ratios and never fail on a timing (a shared 2-core machine is noisy); the
 * exit code is 0 unless a benchmark throws.
 */
import { harnessVersion } from '../cli/version.js';
import { parseBenchArgs } from './args.js';
import { balancerRelay } from './balancer-relay.js';
import { type BenchFigure, type Benchmark, meetsGoal } from './benchmark.js';
import { handOff } from './hand-off.js';
import { burstSpread, loadMemory, loadThroughput, timingAccuracy } from './load-generator.js';
import { plannerSpeed } from './planner-speed.js';
import { shardSpread } from './shard-spread.js';
import { simulatorSpeed } from './simulator-speed.js';
import { startup } from './startup.js';
import { streamingMemory } from './streaming-memory.js';
import { timeScale } from './time-scale.js';

/** Every benchmark, in the order they run. Later issues add theirs here. */
const BENCHMARKS: Benchmark[] = [
  simulatorSpeed,
  plannerSpeed,
  streamingMemory,
  loadThroughput,
  burstSpread,
  timingAccuracy,
  loadMemory,
  startup,
  balancerRelay,
  handOff,
  timeScale,
  shardSpread,
];

const parsed = parseBenchArgs(
  process.argv.slice(2),
  BENCHMARKS.map((b) => b.name),
);
const usage = `usage: npm run bench [-- <name>...] [-- --json]\n${BENCHMARKS.map((b) => `  ${b.name.padEnd(20)} ${b.description}`).join('\n')}\n\n  --json     the figures as JSON on stdout, after the text\n  --version  print the version\n  --help     this help\n\nExit codes: 0 ran (a missed goal is printed, never failed), 1 a benchmark threw (a bug),\n104 an unknown benchmark or option.\n`;
if (parsed.action === 'refuse') {
  process.stderr.write(`${parsed.problems.map((p) => `error: ${p}`).join('\n')}\n\n${usage}`);
  process.exit(104);
}
if (parsed.action === 'help') {
  process.stdout.write(usage);
  process.exit(0);
}
if (parsed.action === 'version') {
  process.stdout.write(`${harnessVersion()}\n`);
  process.exit(0);
}
const json = parsed.json;
const chosen =
  parsed.names.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => parsed.names.includes(b.name));
const log = (line: string) => process.stderr.write(`${line}\n`);
const report: Record<string, BenchFigure[]> = {};
log(
  `node ${process.version}, ${process.platform} ${process.arch}, gc ${typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'exposed' : 'not exposed (run through npm run bench)'}`,
);
for (const benchmark of chosen) {
  log(`\n${benchmark.name}: ${benchmark.description}`);
  const figures = await benchmark.run(log);
  report[benchmark.name] = figures;
  const withGoal = figures.filter((f) => meetsGoal(f) !== undefined);
  const missed = withGoal.filter((f) => meetsGoal(f) === false);
  for (const f of missed)
    log(
      `  MISSES its goal: ${f.case}: ${f.name} ${f.value.toLocaleString('en-US')} ${f.unit}, goal ${f.goal?.op} ${f.goal?.value.toLocaleString('en-US')}`,
    );
  if (withGoal.length > 0)
    log(`  goals: ${withGoal.length - missed.length} of ${withGoal.length} met`);
}
if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
