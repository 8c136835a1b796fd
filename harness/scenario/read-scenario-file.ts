import { isUtf8 } from 'node:buffer';
import { readdir, readFile, stat } from 'node:fs/promises';
import { ScenarioNotFoundError, ScenarioSyntaxError } from '../errors.js';

/**
 * The largest scenario file read. The largest valid one, 100,000 empirical service samples with
 * the rest of a file, is about 1.5 MB; anything far beyond is not a scenario, and is refused
 * before it is read into memory and parsed.
 */
export const MAX_SCENARIO_BYTES = 8 * 1024 * 1024;

/**
 * The deepest nesting of objects and arrays read. A scenario nests six levels at most
 * (`topologies[].scheduler.…`); a file nested hundreds of thousands deep parsed, then overflowed
 * the stack of the code describing it (an internal error, issue 17), so it is refused first.
 */
export const MAX_SCENARIO_DEPTH = 32;

/** The deepest nesting of `{` and `[` outside strings, and where it first passes `limit`. */
export function nestingDepth(text: string, limit: number): { depth: number; offset: number } {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (depth > limit) return { depth, offset: i };
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return { depth: deepest, offset: -1 };
}

/**
 * Reads a scenario file as text, refusing at once, with a message that names what it is, a
 * directory (which readFile reports as "EISDIR"), a file too large to be a scenario, and a
 * binary file, whose bytes the JSON parser would otherwise quote back to the terminal (issue 17).
 * Other failures (a missing file) are thrown as they come, for the caller to explain.
 */
export async function readScenarioText(file: string, ref: string): Promise<string> {
  const info = await stat(file);
  if (info.isDirectory()) {
    const inside = await readdir(file).catch(() => [] as string[]);
    const json = inside.filter((name) => name.endsWith('.json')).sort();
    throw new ScenarioNotFoundError(`scenario "${ref}" is a directory (${file}), not a file`, {
      fix:
        json.length === 0
          ? 'give the path of a scenario .json file, or a built-in scenario name'
          : `give one of its files, e.g. ${json
              .slice(0, 3)
              .map((name) => `${ref.replace(/\/+$/, '')}/${name}`)
              .join(', ')}`,
    });
  }
  if (!info.isFile())
    throw new ScenarioNotFoundError(`scenario "${ref}" is not a regular file (${file})`, {
      fix: 'give the path of a scenario .json file',
    });
  if (info.size > MAX_SCENARIO_BYTES)
    throw new ScenarioSyntaxError(
      `${file}: ${(info.size / 1024 / 1024).toFixed(1)} MB, too large for a scenario file (at most ${MAX_SCENARIO_BYTES / 1024 / 1024} MB)`,
      { fix: 'give a scenario .json file; is this the file you meant?' },
    );
  const bytes = await readFile(file);
  const nul = bytes.indexOf(0);
  if (nul >= 0)
    throw new ScenarioSyntaxError(
      `${file}: a binary file (a zero byte at offset ${nul}), not JSON text`,
      { fix: 'give a scenario .json file; is this the file you meant?' },
    );
  if (!isUtf8(bytes))
    throw new ScenarioSyntaxError(`${file}: not UTF-8 text, so not a JSON scenario file`, {
      fix: 'save the scenario as UTF-8 JSON; is this the file you meant?',
    });
  const text = bytes.toString('utf8');
  const nesting = nestingDepth(text, MAX_SCENARIO_DEPTH);
  if (nesting.offset >= 0)
    throw new ScenarioSyntaxError(
      `${file}: nested more than ${MAX_SCENARIO_DEPTH} levels deep (at offset ${nesting.offset}), deeper than any scenario`,
      { fix: 'give a scenario .json file; is this the file you meant?' },
    );
  return text;
}
