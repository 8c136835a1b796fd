import type { Registry } from '../../targets/app/protocol.js';

/**
 * What can be predicted of an event published to every server-sent-event client. Not queueing:
 * the capacity model does not apply; what follows from the topology is the share of clients an
 * event reaches. Pure.
 *
 *   memory  the publishing worker writes to the clients it holds, and no other: with C clients
 *           spread over W workers x R replicas, an event published by worker w reaches c_w / C.
 *           Spread evenly, and with the publisher as likely to be any worker, 1 / (W x R).
 *   redis   every worker subscribes to the channel and writes to its own clients: 1.
 */

export interface FanoutPrediction {
  /** Share of clients each event reaches, for clients spread evenly over the workers. */
  share: number;
  note: string;
}

export function predictFanout(input: {
  registry: Registry;
  workers: number;
  replicas: number;
}): FanoutPrediction {
  const slots = input.workers * input.replicas;
  if (input.registry === 'redis')
    return {
      share: 1,
      note: 'every worker subscribes to the Redis channel and writes each event to its own clients: every client',
    };
  return {
    share: 1 / slots,
    note:
      slots === 1
        ? 'one worker process holds every client, so its registry reaches them all'
        : `each worker knows only its own clients: an event reaches those of the worker that published it, 1 / (${input.workers} worker${input.workers === 1 ? '' : 's'} x ${input.replicas} replica${input.replicas === 1 ? '' : 's'}) = ${Number((100 / slots).toPrecision(3))}% of clients spread evenly`,
  };
}

/**
 * The share an event reaches given where the clients actually are: the clients of its
 * publisher's worker over all (memory), or all (redis).
 */
export function shareGivenSpread(
  registry: Registry,
  clientsOfPublisher: number,
  clients: number,
): number {
  if (clients === 0) return 0;
  return registry === 'redis' ? 1 : clientsOfPublisher / clients;
}
