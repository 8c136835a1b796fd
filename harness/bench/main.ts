#!/usr/bin/env node
/**
 * `npm run bench [-- <benchmark>... ] [-- --json]`: runs the benchmarks (all by default) and
 * prints their figures; with --json, one JSON object with every figure at the end. Benchmarks
 * print figures and ratios and never fail on a timing (a shared 2-core machine is noisy); the
 * exit code is 0 unless a benchmark throws.
 */
import { balancerRelay } from './balancer-relay.js';
import { type BenchFigure, type Benchmark, meetsGoal } from './benchmark.js';
import { handOff } from './hand-off.js';
import { burstSpread, loadMemory, loadThroughput, timingAccuracy } from './load-generator.js';
import { simulatorSpeed } from './simulator-speed.js';
import { streamingMemory } from './streaming-memory.js';
import { timeScale } from './time-scale.js';

/** Every benchmark, in the order they run. Later issues add theirs here. */
const BENCHMARKS: Benchmark[] = [
  simulatorSpeed,
  streamingMemory,
  loadThroughput,
  burstSpread,
  timingAccuracy,
  loadMemory,
  balancerRelay,
  handOff,
  timeScale,
];

const args = process.argv.slice(2);
const json = args.includes('--json');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
if (args.includes('--help') || unknown.length > 0) {
  const out = unknown.length > 0 ? process.stderr : process.stdout;
  if (unknown.length > 0) out.write(`unknown benchmark ${unknown.join(', ')}\n`);
  out.write(
    `usage: npm run bench [-- <name>...] [-- --json]\n${BENCHMARKS.map((b) => `  ${b.name.padEnd(20)} ${b.description}`).join('\n')}\n`,
  );
  process.exit(unknown.length > 0 ? 104 : 0);
}
const chosen = names.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => names.includes(b.name));
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
