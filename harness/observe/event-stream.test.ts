import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventStreamParser, type StreamItem } from './event-stream.js';

/**
 * The examples of the HTML standard, section 9.2.6 "Interpreting an event stream", with the
 * events the standard says each produces.
 */

const events = (items: readonly StreamItem[]) =>
  items.flatMap((i) =>
    i.kind === 'event' ? [{ data: i.data, id: i.lastEventId, type: i.type }] : [],
  );

test('data lines join with LF into one event (the stock-ticker example)', () => {
  const parser = new EventStreamParser();
  assert.deepEqual(events(parser.push('data: YHOO\ndata: +2\ndata: 10\n\n')), [
    { data: 'YHOO\n+2\n10', id: '', type: 'message' },
  ]);
});

test('comments, ids that persist and reset, and an unfinished last block (the four-block example)', () => {
  const parser = new EventStreamParser();
  const items = parser.push(
    ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n',
  );
  assert.deepEqual(items[0], { kind: 'comment', text: 'test stream' });
  assert.deepEqual(events(items), [
    { data: 'first event', id: '1', type: 'message' },
    { data: 'second event', id: '', type: 'message' },
  ]);
  // The third block has no blank line yet: nothing until one comes.
  assert.deepEqual(events(parser.push('\n')), [{ data: ' third event', id: '', type: 'message' }]);
});

test('empty data fires an empty event, two data lines a single newline (the empty-data example)', () => {
  const parser = new EventStreamParser();
  assert.deepEqual(
    events(parser.push('data\n\ndata\ndata\n\ndata:\n')).map((e) => e.data),
    ['', '\n'],
  );
});

test('one space after the colon is dropped, no more (the two-identical-events example)', () => {
  const parser = new EventStreamParser();
  assert.deepEqual(
    events(parser.push('data:test\n\ndata: test\n\n')).map((e) => e.data),
    ['test', 'test'],
  );
});

test('CRLF, CR and LF all end lines, even across chunk boundaries; a BOM is skipped', () => {
  const parser = new EventStreamParser();
  const chunks = ['\uFEFFevent: score\r', '\ndata: 1\r', '\r', 'id: 7\rdata: 2\n', '\r\n'];
  const out = chunks.flatMap((c) => events(parser.push(c)));
  assert.deepEqual(out, [
    { data: '1', id: '', type: 'score' },
    { data: '2', id: '7', type: 'message' },
  ]);
});

test('a field split over chunks, retry, and an id holding NULL', () => {
  const parser = new EventStreamParser();
  assert.deepEqual(parser.push('da'), []);
  assert.deepEqual(parser.push('ta: he'), []);
  assert.deepEqual(events(parser.push('llo\nretry: 2500\nid: a\u0000b\nretry: x\n\n')), [
    { data: 'hello', id: '', type: 'message' },
  ]);
  assert.equal(parser.retry, 2500);
});
