import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { sleepUntil } from './native/precise-timer.js';
import type { Work } from './protocol.js';

/**
 * CPython's default GIL switch interval (sys.getswitchinterval() = 0.005 s): CPU-bound threads
 * of one worker take turns in slices this long, so they share the worker's core instead of
 * running one after the other.
 */
const GIL_SWITCH_INTERVAL_US = 5_000;

const NS_PER_MS = 1e6;

/**
 * Spends `ms` real milliseconds of service: asleep, or burning that much CPU time. A sleep ends
 * at the microsecond asked, as Python's time.sleep() does (precise-timer.ts): setTimeout's whole
 * milliseconds from a cached clock made every emulated handler about 1 ms long, which time
 * compression multiplied into every later request's wait.
 */
export async function performWork(work: Work, ms: number): Promise<void> {
  if (ms <= 0) return;
  if (work === 'sleep') {
    await sleepUntil(process.hrtime.bigint() + BigInt(Math.round(ms * NS_PER_MS)));
    return;
  }
  await burnCpu(ms * 1000);
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/**
 * Burns `micros` of this process's CPU time (not wall time: under contention for cores it takes
 * longer, as CPU-bound Python does), yielding to the event loop between GIL-sized slices.
 */
async function burnCpu(micros: number): Promise<void> {
  let left = micros;
  let sink = 0;
  while (left > 0) {
    const sliceStart = cpuMicros();
    const slice = Math.min(left, GIL_SWITCH_INTERVAL_US);
    let now = sliceStart;
    while (now - sliceStart < slice) {
      for (let i = 0; i < 2_000; i++) sink = (sink * 31 + i) | 0;
      now = cpuMicros();
    }
    left -= now - sliceStart;
    if (left > 0) await yieldToLoop();
  }
  if (sink === 0.5) console.log(sink); // keeps the loop from being optimised away
}

const blocker = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocks this thread for `ms` real milliseconds without using a core: what `time.sleep()` or a
 * blocking client call inside an `async def` handler does to an event loop. Nothing else in the
 * process runs meanwhile: no accept, no other request, no timer.
 */
export function blockFor(ms: number): void {
  if (ms > 0) Atomics.wait(blocker, 0, 0, ms);
}

/**
 * Burns `ms` of this process's CPU time without yielding: CPU-bound Python inside an `async def`
 * handler, which holds the event loop as long as it runs and needs a core to do so.
 */
export function burnCpuBlocking(ms: number): void {
  const end = cpuMicros() + ms * 1000;
  let sink = 0;
  while (cpuMicros() < end) for (let i = 0; i < 2_000; i++) sink = (sink * 31 + i) | 0;
  if (sink === 0.5) console.log(sink);
}
