import { Client } from 'undici';
import type { ServedBy } from '../../targets/instrument.js';
import { parseTimingHeaders } from '../../targets/instrument.js';
import { EventStreamParser, type StreamEvent } from './event-stream.js';

/**
 * One server-sent-events client of the harness: its own TCP connection (so that the balancer and
 * the workers' accept loops place it as they would a browser), GET /events, and every event
 * stamped with the instant it arrived on the machine's monotonic clock, which the targets share.
 */

export interface Receipt {
  event: StreamEvent;
  /** CLOCK_MONOTONIC microseconds when the chunk that completed it arrived. */
  receivedUs: number;
}

export interface EventStreamClient {
  /** The worker that holds the stream (X-Served-By). */
  servedBy: Partial<ServedBy>;
  receipts: Receipt[];
  /** Set when the stream ended or failed before close() was called. */
  ended: string | null;
  close(): Promise<void>;
}

export interface OpenOptions {
  origin: string;
  path?: string;
  /** Real milliseconds to connect and to receive the response head and the registration. */
  timeoutMs: number;
  signal: AbortSignal;
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * Opens the stream and resolves once the server has registered the client (its first comment,
 * which the emulated app sends right after it added the client to its registry), or when the
 * first event arrives from a server that sends no comment.
 */
export async function openEventStream(options: OpenOptions): Promise<EventStreamClient> {
  const client = new Client(options.origin, {
    connect: { timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: 0,
    pipelining: 0,
  });
  const abort = new AbortController();
  const signal = AbortSignal.any([abort.signal, options.signal]);
  let closing = false;
  try {
    const response = await client.request({
      path: options.path ?? '/events',
      method: 'GET',
      headers: { accept: 'text/event-stream' },
      signal,
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`GET ${options.path ?? '/events'} answered HTTP ${response.statusCode}`);
    }
    const parser = new EventStreamParser();
    const stream: EventStreamClient = {
      servedBy: parseTimingHeaders(response.headers).servedBy,
      receipts: [],
      ended: null,
      async close() {
        closing = true;
        abort.abort();
        await client.destroy().catch(() => {});
      },
    };
    const registered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no registration within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      // The stream is UTF-8 (the standard allows nothing else); a character may span chunks.
      const decoder = new TextDecoder('utf-8');
      response.body.on('data', (chunk: Buffer) => {
        const receivedUs = monotonicUs();
        for (const item of parser.push(decoder.decode(chunk, { stream: true }))) {
          if (item.kind === 'event') stream.receipts.push({ event: item, receivedUs });
          clearTimeout(timer);
          resolve();
        }
      });
      const end = (why: string): void => {
        clearTimeout(timer);
        if (!closing) stream.ended ??= why;
        reject(new Error(why));
      };
      response.body.once('end', () => end('the server ended the stream'));
      response.body.once('error', (error: Error) => end(error.message));
    });
    await registered;
    return stream;
  } catch (error) {
    closing = true;
    abort.abort();
    await client.destroy().catch(() => {});
    throw error;
  }
}
