import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MountedRoute } from '../handler.js';
import type { ServedBy } from '../instrument.js';
import { type EventPayload, monotonicUs, type SseConfig } from './protocol.js';
import { createRedisBus } from './redis-bus.js';

/**
 * Server-sent events in the emulated app, as a Flask app streams them from a worker:
 *
 *   GET  /events          a text/event-stream that stays open; the worker keeps the response in
 *                         its client registry (a thread of a gthread worker is held meanwhile)
 *   POST /publish?id=N    publishes event N to "every client"
 *
 * With the `memory` registry the publishing worker writes the event to the clients in its own
 * registry, which are the only ones it knows: clients of other workers and other replicas miss
 * it. With `redis` it publishes to a Redis channel that every worker subscribes to, and each
 * worker writes the event to its own clients.
 *
 * Each event's data is an EventPayload (JSON): the publisher, the instant it published, and the
 * worker and instant that wrote it to this stream, on the monotonic clock the harness shares.
 */

type Published = Pick<EventPayload, 'id' | 'publishedUs' | 'publisher'>;

const identityOf = (s: ServedBy) => ({ replica: s.replica, worker: s.worker, pid: s.pid });

export function createSseRoutes(
  config: SseConfig,
  identity: { replica: number; worker: number },
): MountedRoute {
  const via = { ...identity, pid: process.pid };
  const clients = new Set<ServerResponse>();
  const deliver = (event: Published): number => {
    for (const client of clients) {
      const payload: EventPayload = { ...event, sentUs: monotonicUs(), via };
      client.write(`id: ${event.id}\ndata: ${JSON.stringify(payload)}\n\n`);
    }
    return clients.size;
  };
  const label = `worker ${identity.replica}/${identity.worker}`;
  let bus: ReturnType<typeof createRedisBus<Published>> | undefined;
  if (config.registry === 'redis') {
    if (config.redis === undefined) throw new Error('the redis registry needs its server');
    bus = createRedisBus<Published>(config.redis, deliver, label);
  }

  const stream = (response: ServerResponse, servedBy: ServedBy): Promise<void> => {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-served-by': `replica=${servedBy.replica}; worker=${servedBy.worker}; thread=${servedBy.thread}; pid=${servedBy.pid}`,
      'x-server-clock': `start=${monotonicUs()}`,
    });
    // A comment line sends the headers and tells the client it is registered.
    response.write(': registered\n\n');
    clients.add(response);
    return new Promise((resolve) => {
      response.once('close', () => {
        clients.delete(response);
        resolve();
      });
    });
  };

  const publish = async (
    request: IncomingMessage,
    response: ServerResponse,
    servedBy: ServedBy,
    id: number,
  ): Promise<void> => {
    request.resume();
    const event: Published = { id, publishedUs: monotonicUs(), publisher: identityOf(servedBy) };
    let body: Record<string, unknown>;
    let status = 200;
    if (bus === undefined) {
      body = { ...event, registry: 'memory', delivered: deliver(event) };
    } else {
      try {
        body = { ...event, registry: 'redis', subscribers: await bus.publish(event) };
      } catch (error) {
        status = 502;
        body = { ...event, registry: 'redis', error: (error as Error).message };
      }
    }
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-served-by': `replica=${servedBy.replica}; worker=${servedBy.worker}; thread=${servedBy.thread}; pid=${servedBy.pid}`,
    });
    response.end(text);
  };

  return (request, response, servedBy) => {
    const url = new URL(request.url ?? '/', 'http://target.invalid');
    if (url.pathname === '/events' && request.method === 'GET') return stream(response, servedBy);
    if (url.pathname === '/publish' && request.method === 'POST') {
      const id = Number(url.searchParams.get('id') ?? '0');
      return publish(request, response, servedBy, Number.isSafeInteger(id) ? id : 0);
    }
    return undefined;
  };
}
