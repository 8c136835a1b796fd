import { Redis } from 'ioredis';

/**
 * A publish/subscribe bus on a Redis server: every worker subscribes to one channel, and a
 * publish reaches the subscribers of every worker of every replica (Redis PUBLISH/SUBSCRIBE).
 * Messages are JSON. Connection errors are printed (they reach the harness's target output);
 * ioredis reconnects by itself.
 */
export interface RedisBus<T> {
  /** Resolves with the number of subscribers the server delivered the message to. */
  publish(message: T): Promise<number>;
  close(): void;
}

export function createRedisBus<T>(
  options: { host: string; port: number; channel: string },
  onMessage: (message: T) => void,
  label: string,
): RedisBus<T> {
  const connect = (role: string): Redis => {
    const client = new Redis({ host: options.host, port: options.port, enableReadyCheck: true });
    client.on('error', (error: Error) => console.error(`${label} redis ${role}: ${error.message}`));
    return client;
  };
  const subscriber = connect('subscriber');
  const publisher = connect('publisher');
  subscriber.on('message', (channel: string, text: string) => {
    if (channel !== options.channel) return;
    try {
      onMessage(JSON.parse(text) as T);
    } catch (error) {
      console.error(`${label}: a message that is not JSON: ${(error as Error).message}`);
    }
  });
  subscriber.subscribe(options.channel).catch((error: unknown) => {
    console.error(`${label}: cannot subscribe to ${options.channel}: ${(error as Error).message}`);
  });
  return {
    publish: (message) => publisher.publish(options.channel, JSON.stringify(message)),
    close() {
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
