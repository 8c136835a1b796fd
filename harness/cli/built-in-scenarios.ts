import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../targets/package-root.js';

/**
 * The built-in scenario names, for `scenario --help`: read from scenarios/ synchronously, without
 * loading the scenario validator, so that help stays instant.
 */
export function builtInScenarios(): string[] {
  try {
    return readdirSync(join(packageRoot(), 'scenarios'))
      .filter((name) => name.endsWith('.json') && !name.endsWith('.schema.json'))
      .map((name) => name.slice(0, -'.json'.length))
      .sort();
  } catch {
    return [];
  }
}
