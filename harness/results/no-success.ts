import { NoSuccessError } from '../errors.js';
import type { TopologySummary } from './summary.js';

/**
 * The run's error when a topology sent requests and none succeeded, unless the scenario expects
 * that (`expectErrors`): a run against nothing listening used to end 0 with "errors 4/4 (refused
 * 4)" and no hint (issue 17). Pure.
 */
export function noSuccessError(
  topologies: readonly TopologySummary[],
  expectErrors: boolean,
): NoSuccessError | undefined {
  if (expectErrors) return undefined;
  const dead = topologies.filter((t) => t.requests > 0 && t.errors >= t.requests);
  if (dead.length === 0) return undefined;
  const described = dead.map((t) => {
    const kinds = Object.entries(t.errorsByKind)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ');
    const where = t.url === undefined || t.url === null ? '' : ` at ${t.url}`;
    return `${t.name}${where}: ${t.errors} of ${t.requests} failed (${kinds})`;
  });
  const refused = dead.some((t) => (t.errorsByKind.refused ?? 0) > 0);
  return new NoSuccessError(`no request succeeded: ${described.join('; ')}`, {
    fix: refused
      ? 'nothing answered: check that the server is running and listening at that address; if every request is meant to fail, set "expectErrors": true in the scenario'
      : 'see errorsByKind in summary.json; if every request is meant to fail, set "expectErrors": true in the scenario',
  });
}
