import { missingRealServerParts } from '../../harness/supervise/real-servers.js';

/**
 * Test support: whether the real servers are installed. Tests that need them are skipped on a
 * machine without them, with a loud message saying why and how to install them, except under CI
 * (the CI environment variable set), where they run and fail: in CI a skip is a failure.
 */

let cached: string[] | undefined;

export function missingForTests(): string[] {
  cached ??= missingRealServerParts();
  return cached;
}

/** `{ skip }` for node:test: false when the servers are there or CI is set, else the reason. */
export function skipWithoutRealServers(): false | string {
  const missing = missingForTests();
  if (missing.length === 0 || process.env.CI !== undefined) return false;
  const reason = `real servers missing (${missing.join(', ')}); install them with \`sudo npm run setup\``;
  process.stderr.write(
    `\n${'!'.repeat(78)}\n!! SKIPPED: tests of real gunicorn, uvicorn, Werkzeug and haproxy: ${reason}\n${'!'.repeat(78)}\n\n`,
  );
  return reason;
}

/** Fails the test with the reason when the servers are missing (under CI). */
export function assertRealServers(): void {
  const missing = missingForTests();
  if (missing.length > 0)
    throw new Error(
      `real servers missing under CI (${missing.join(', ')}): .ci/run installs them with harness/setup/install-servers.sh`,
    );
}
