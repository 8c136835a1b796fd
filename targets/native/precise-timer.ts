import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/**
 * Sleeps that end at the microsecond asked, from precise-timer.c: a timerfd armed at an absolute
 * CLOCK_MONOTONIC instant and polled on this process's loop. Node's setTimeout counts whole
 * milliseconds from the loop's cached clock and so ran the emulated handlers about a millisecond
 * long, where Python's time.sleep() does not.
 */
interface Addon {
  wakeAt(deadlineNs: bigint, callback: () => void): void;
}

let addon: Addon | undefined;

function load(): Addon {
  if (addon === undefined) {
    const require = createRequire(import.meta.url);
    const path = join(packageRoot(), 'targets', 'native', 'build', 'Release', 'precise_timer.node');
    try {
      addon = require(path) as Addon;
    } catch (error) {
      throw new Error(
        `the native precise timer is not built (${path}); run \`npm install\` to build it`,
        { cause: error },
      );
    }
  }
  return addon;
}

/**
 * Resolves on this process's event loop once process.hrtime.bigint() has reached `deadlineNs`
 * (at once, on the loop's next turn, when it already has). The loop stays free meanwhile.
 */
export function sleepUntil(deadlineNs: bigint): Promise<void> {
  const { wakeAt } = load();
  return new Promise((resolve) => wakeAt(deadlineNs, resolve));
}
