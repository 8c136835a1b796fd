import { mountRoute } from '../handler.js';
import type { AppConfig } from './protocol.js';
import { startScheduler } from './scheduler.js';
import { createSseRoutes } from './sse.js';

/**
 * Starts what the app does beside serving requests in one worker process (targets/worker.ts
 * calls it once, before the worker accepts): its scheduled job, its server-sent-event routes.
 */
export function startApp(
  config: AppConfig | undefined,
  identity: { replica: number; worker: number },
): void {
  if (config === undefined) return;
  if (config.scheduler !== undefined) startScheduler(config.scheduler, identity);
  if (config.sse !== undefined) mountRoute(createSseRoutes(config.sse, identity));
}
