import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../targets/package-root.js';

/**
 * For end-to-end tests: runs the built CLI as a user does, in a child process, and collects its
 * exit code and output.
 */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const mainScript = (): string => join(packageRoot(), 'dist', 'harness', 'cli', 'main.js');

export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Finished> {
  const child = spawn(process.execPath, [mainScript(), ...args], {
    cwd: options.cwd ?? packageRoot(),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
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
