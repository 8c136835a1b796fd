import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { tell } from './lifecycle.js';
import type { InitConfig, LifecycleConfig } from './lifecycle-config.js';

/**
 * What a worker does between its fork and its first accept, and its heartbeat.
 *
 * gunicorn's worker, once forked, runs init_process(): it loads the app (load_wsgi, an import
 * that can take seconds; instant with --preload, whose master imported it before forking), runs
 * post_worker_init, and only then enters run(), the loop that accepts and calls notify(). A
 * worker that is still booting has not notified since its heartbeat file was created before the
 * fork, so a boot longer than --timeout gets it killed (arbiter.py murder_workers).
 *
 * The emulated app load waits (it takes no core): what contends for a resource is the start-up
 * work (`init`), done against targets/init-resource.ts.
 */

/** Loads the app, unless the arbiter preloaded it. */
export async function loadApp(lifecycle: LifecycleConfig): Promise<void> {
  if (!lifecycle.preload && lifecycle.appLoadMs > 0) await sleep(lifecycle.appLoadMs);
}

/**
 * Asks the shared resource for the start-up work and waits until it is done. Resolves with
 * whether the work was skipped (`one-worker`, when another worker has claimed it).
 */
export function initialise(init: InitConfig): Promise<{ skipped: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: init.resourcePort });
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      socket.write(
        `${JSON.stringify({ op: init.mode === 'one-worker' ? 'once' : 'work', ms: init.ms })}\n`,
      );
    });
    socket.on('data', (chunk: string) => {
      reply += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      try {
        const answer = JSON.parse(reply.trim()) as { done?: boolean; skipped?: boolean };
        resolve({ skipped: answer.skipped === true });
      } catch {
        reject(new Error(`the init resource closed without an answer (${JSON.stringify(reply)})`));
      }
    });
  });
}

/** Tells the arbiter that the start-up work of `worker` is done. */
export function reportInitialised(worker: number, skipped: boolean, atUs: number): void {
  tell({ type: 'worker-initialised', worker, pid: process.pid, atUs, skipped });
}

/**
 * The heartbeat (gunicorn's notify()): a message to the arbiter at least every quarter of the
 * timeout while `allowed`, and at once whenever the worker becomes allowed again. A sync worker
 * allows it only while idle, as gunicorn's sync loop notifies between requests; a gthread or
 * async worker's loop notifies whenever it runs, which a blocked event loop prevents by itself.
 */
export class Heartbeat {
  private allowed = false;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number) {
    if (timeoutMs > 0) {
      this.timer = setInterval(() => this.beat(), Math.max(1, timeoutMs / 4));
      this.timer.unref();
    }
  }

  set(allowed: boolean): void {
    const was = this.allowed;
    this.allowed = allowed;
    if (allowed && !was) this.beat();
  }

  private beat(): void {
    if (this.allowed && this.timer !== undefined) tell({ type: 'notify' });
  }
}
