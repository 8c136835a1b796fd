import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topologySummary } from '../test-support/gate-fixtures.js';
import { noSuccessError } from './no-success.js';

const dead = (kinds: Record<string, number>, url: string | null = null) => {
  const total = Object.values(kinds).reduce((a, b) => a + b, 0);
  const t = topologySummary('a', [], { errors: total });
  return {
    ...t,
    url,
    errorsByKind: { ...t.errorsByKind, refused: 0, ...kinds } as typeof t.errorsByKind,
  };
};

test('no success: the fix names what to check for each way the requests failed, most frequent first', () => {
  const error = noSuccessError([dead({ other: 3, 'http-5xx': 1 }, 'http://127.0.0.1:9/')], false);
  assert.ok(error !== undefined);
  assert.equal(error.code, 'E_NO_SUCCESS');
  assert.match(
    error.message,
    /a at http:\/\/127\.0\.0\.1:9\/: 4 of 4 failed \(http-5xx 1, other 3\)/,
  );
  const fix = error.fix ?? '';
  assert.ok(fix.indexOf('not HTTP/1.1') < fix.indexOf('5xx'), fix);
  assert.match(fix, /expectErrors/);
  for (const [kind, words] of [
    ['refused', /nothing answered: check that the server is running/],
    ['reset', /closed the connections before answering/],
    ['timeout', /within limits\.requestTimeout/],
    ['http-4xx', /URL's path/],
  ] as const)
    assert.match(noSuccessError([dead({ [kind]: 2 })], false)?.fix ?? '', words, kind);
});

test('no success: no error when one request succeeded, or when the scenario expects errors', () => {
  assert.equal(noSuccessError([dead({ timeout: 2 })], true), undefined);
  assert.equal(noSuccessError([topologySummary('a', [0.1], { errors: 3 })], false), undefined);
});
