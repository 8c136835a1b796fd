import { RemoteNotAllowedError, ServersMissingError } from '../errors.js';
import { remoteHostsNotAllowed } from '../scenario/target-url.js';
import type { Scenario } from '../scenario/types.js';
import { checkOwnApps } from '../supervise/own-app-check.js';
import { missingRealServerParts } from '../supervise/real-servers.js';
import { serversMissingFix } from './servers-missing-fix.js';

/**
 * Before anything runs: every URL's host is loopback or allowed by --allow-remote, and the real
 * servers a scenario names are installed.
 */
export function checkTargets(scenario: Scenario, allowRemote: readonly string[]): void {
  const urls = scenario.topologies.flatMap((t) => (t.url === undefined ? [] : [t.url]));
  const refused = remoteHostsNotAllowed(urls, allowRemote);
  if (refused.length > 0)
    throw new RemoteNotAllowedError(
      `the load would go to ${refused.join(', ')}, which ${refused.length === 1 ? 'is' : 'are'} not this machine's loopback`,
      {
        fix: `if you mean to load that server, say so: ${refused.map((h) => `--allow-remote ${h}`).join(' ')}`,
      },
    );
  // Own apps: their paths, interpreters and servers; those on the default interpreter need
  // Debian's packages as the bundled apps do.
  const real = checkOwnApps(scenario.topologies);
  if (real.length === 0) return;
  const missing = missingRealServerParts();
  if (missing.length > 0)
    throw new ServersMissingError(
      `${real.map((t) => `"${t.name}" (${t.kind})`).join(', ')} need${real.length === 1 ? 's' : ''} real servers, but this machine lacks ${missing.join(', ')}`,
      {
        fix: serversMissingFix(
          process.env,
          'install them with `sudo npm run setup` (Debian: gunicorn, python3-flask, python3-uvicorn, python3-fastapi, python3-apscheduler, haproxy)',
        ),
      },
    );
}
