import { RemoteNotAllowedError } from '../errors.js';
import { hostOf, isLoopbackHost } from '../scenario/target-url.js';

/**
 * The load generator's own guard on where it sends requests, checked by every executor before
 * its first request, whoever called it: load goes to this machine's loopback addresses only,
 * unless the user named the host with `--allow-remote <host>` (passed down as `allowRemote`).
 * The CLI refuses such a target earlier with the same error; this check keeps the rule when
 * the load layer is reached some other way (a new command, a benchmark, a test).
 *
 * What counts as loopback is harness/scenario/target-url.ts's isLoopbackHost: 127.0.0.0/8,
 * ::1, ::ffff:127.x.y.z and the name `localhost`. Nothing is resolved here.
 */
export function checkDestination(origin: string, allowRemote: readonly string[] = []): void {
  let host: string;
  try {
    host = hostOf(origin);
  } catch {
    // Origins come from the supervisor or a URL the CLI has already checked: a bad one is a bug.
    throw new TypeError(
      `the load was given an origin that is not a URL: ${JSON.stringify(origin)}`,
    );
  }
  if (isLoopbackHost(host)) return;
  const allowed = allowRemote.some((h) => h.replace(/^\[|\]$/g, '').toLowerCase() === host);
  if (allowed) return;
  throw new RemoteNotAllowedError(
    `the load would go to ${host}, which is not this machine's loopback`,
    { fix: `if you mean to load that server, say so: --allow-remote ${host}` },
  );
}
