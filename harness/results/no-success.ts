import { NoSuccessError } from '../errors.js';
import type { ErrorKind } from '../load/error-kind.js';
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
  // What to check, by the kinds of failure seen, the most frequent first.
  const totals = new Map<ErrorKind, number>();
  for (const t of dead)
    for (const [kind, n] of Object.entries(t.errorsByKind) as Array<[ErrorKind, number]>)
      if (n > 0) totals.set(kind, (totals.get(kind) ?? 0) + n);
  const checks = [...totals].sort((a, b) => b[1] - a[1]).map(([kind]) => KIND_FIX[kind]);
  return new NoSuccessError(`no request succeeded: ${described.join('; ')}`, {
    fix: `${[...checks, 'if every request is meant to fail, set "expectErrors": true in the scenario'].join('; ')}`,
  });
}

/** What to check when every request failed one way (harness/load/error-kind.ts's classes). */
const KIND_FIX: Record<ErrorKind, string> = {
  refused: 'nothing answered: check that the server is running and listening at that address',
  reset:
    'the server closed the connections before answering: its log may say why (a crash, a killed worker, a port that speaks another protocol)',
  timeout:
    'nothing answered within limits.requestTimeout: check that the server is not stuck, or raise limits.requestTimeout if it is only slow',
  'http-5xx': 'the server answered with its own error (5xx): its log says why',
  'http-4xx':
    "the server refused the requests (4xx): check the URL's path and the scenario's request",
  aborted: 'the harness stopped the requests (an interrupt, or the run time limit)',
  other:
    'errorMessage in requests.ndjson says what failed (an answer that is not HTTP/1.1: is that address an HTTP server?)',
};
