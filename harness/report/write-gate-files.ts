import { join } from 'node:path';
import { ResultsWriteError } from '../errors.js';
import type { GateOutcome } from '../gate/gate.js';
import { renderJunit } from '../gate/junit.js';
import { renderGateMarkdown } from '../gate/markdown.js';
import { writeFileAtomic } from '../results/atomic-write.js';

/** File names of the gate's output in a run directory (reports/README.md documents them). */
export const GATE_FILES = {
  json: 'gate.json',
  markdown: 'gate.md',
  junit: 'gate.junit.xml',
} as const;

/** Writes gate.json, gate.md and gate.junit.xml into the run directory, each atomically. */
export async function writeGateFiles(dir: string, gate: GateOutcome): Promise<void> {
  try {
    await writeFileAtomic(join(dir, GATE_FILES.json), `${JSON.stringify(gate, null, 2)}\n`);
    await writeFileAtomic(join(dir, GATE_FILES.markdown), renderGateMarkdown(gate));
    await writeFileAtomic(join(dir, GATE_FILES.junit), renderJunit(gate));
  } catch (error) {
    throw new ResultsWriteError(
      `cannot write the gate files in ${dir}: ${(error as Error).message}`,
      {
        fix: 'check that the run directory is writable and the disk has room',
        cause: error,
      },
    );
  }
}
