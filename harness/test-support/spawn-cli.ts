import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../targets/package-root.js';
import { type ChildOutput, childOutput } from '../supervise/child-output.js';

/**
 * For end-to-end tests: runs the built CLI as a user does, in a child process, and collects its
 * exit code and output.
 */
export type Finished = ChildOutput;

export interface Started {
  child: ChildProcess;
  pid: number;
  done: Promise<Finished>;
}

export const mainScript = (): string => join(packageRoot(), 'dist', 'harness', 'cli', 'main.js');

export interface StartOptions {
  /** Working directory; the package root by default. */
  cwd?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Modules loaded before the CLI (node --import), such as fixtures/faults.js. */
  preload?: readonly string[];
}

/** Starts `main.js args` and returns the child at once, with a promise of how it ended. */
export function startCli(args: readonly string[], options: StartOptions = {}): Started {
  const preload = (options.preload ?? []).flatMap((module) => ['--import', module]);
  const child = spawn(process.execPath, [...preload, mainScript(), ...args], {
    cwd: options.cwd ?? packageRoot(),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, pid: child.pid as number, done: childOutput(child) };
}

/** Runs `main.js args` to its end. */
export function spawnCli(args: readonly string[], options: StartOptions = {}): Promise<Finished> {
  return startCli(args, options).done;
}

/**
 * Runs a scenario given as an object (written to a temporary directory) with its reports there,
 * asserts that it exits 0, and returns its latest run directory and output.
 */
export async function runScenarioOk(
  t: { after(fn: () => Promise<void>): void },
  scenario: { name: string } & Record<string, unknown>,
): Promise<{ latest: string; stdout: string; stderr: string }> {
  const dir = await tempDir(t);
  const file = await writeScenario(dir, scenario);
  const finished = await spawnCli(['scenario', file, '--reports-dir', join(dir, 'r')]);
  if (finished.code !== 0)
    throw new Error(`the scenario exited ${finished.code}:\n${finished.stderr}`);
  return { latest: join(dir, 'r', scenario.name, 'latest'), ...finished };
}

/** A temporary directory removed after the test. */
export async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'harness-e2e-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function writeScenario(dir: string, body: unknown, name = 'scenario.json') {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(body, null, 2));
  return file;
}
