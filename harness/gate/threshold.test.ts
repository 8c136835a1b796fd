import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseThreshold, parseThresholdKey, parseThresholdOption } from './threshold.js';

function ok(key: string, condition: string) {
  const result = parseThreshold(key, condition);
  assert.ok(result.ok, result.ok ? '' : `${result.message} / ${result.fix}`);
  return result.value;
}

test('the examples of the issue parse to their limits in the metric units', () => {
  const p95 = ok('wait', 'p(95)<5s');
  assert.deepEqual(p95.aggregate, { kind: 'percentile', p: 95 });
  assert.equal(p95.operator, '<');
  assert.equal(p95.value, 5);
  assert.equal(p95.valueKind, 'scenario-seconds');
  assert.equal(p95.topology, null);
  assert.equal(ok('wait', 'max<20s').value, 20);
  assert.deepEqual(ok('wait', 'mean<2s').aggregate, { kind: 'mean' });
  assert.equal(ok('makespan', 'max<25s').value, 25);
  const rate = ok('errors', 'rate<0.01');
  assert.equal(rate.value, 0.01);
  assert.equal(rate.valueKind, 'fraction');
  assert.equal(ok('model_error', 'max<0.15').value, 0.15);
  const spread = ok('dispatch_spread', 'max<10ms');
  assert.equal(spread.value, 10);
  assert.equal(spread.valueKind, 'real-ms');
});

test('units, spaces, aliases and operators', () => {
  assert.equal(ok('wait', 'p(99.9) <= 1.5m').value, 90);
  assert.deepEqual(ok('wait', 'p(99.9)<=1m').aggregate, { kind: 'percentile', p: 99.9 });
  assert.equal(ok('wait', 'max < 250ms').value, 0.25);
  assert.equal(ok('wait', 'max<3').value, 3, 'a bare number is scenario seconds');
  assert.deepEqual(ok('wait', 'avg<1s').aggregate, { kind: 'mean' });
  assert.deepEqual(ok('wait', 'med<1s').aggregate, { kind: 'percentile', p: 50 });
  assert.equal(ok('errors', 'rate<1%').value, 0.01);
  assert.equal(ok('errors', 'count==0').operator, '==');
  assert.equal(ok('model_error', 'mean<15%').value, 0.15);
  assert.equal(ok('dispatch_spread', 'max<0.02s').value, 20, 'seconds become real ms');
  assert.equal(ok('dispatch_spread', 'value<7').value, 7, 'a bare number is real ms');
  for (const op of ['<', '<=', '>', '>=', '==', '!='])
    assert.equal(ok('wait', `max${op}1s`).operator, op);
});

test('a topology tag names one topology, k6-style', () => {
  const t = ok('wait{topology:sync-4-x3}', 'p(95)<5s');
  assert.equal(t.metric, 'wait');
  assert.equal(t.topology, 'sync-4-x3');
  const key = parseThresholdKey('makespan{topology:a b {c}}');
  assert.ok(key.ok);
  assert.equal(key.value.topology, 'a b {c}');
});

test('malformed thresholds are refused with a fix', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['latency', 'p(95)<5s', /not a threshold metric/],
    ['wait{host:x}', 'p(95)<5s', /not a threshold metric/],
    ['wait', 'p95<5s', /not a threshold condition/],
    ['wait', 'p(95)', /not a threshold condition/],
    ['wait', 'p(95)<', /not a threshold condition/],
    ['wait', 'p(95)<5 parsecs', /not a threshold condition/],
    ['wait', 'p(101)<5s', /out of range/],
    ['wait', 'rate<0.1', /wait has no aggregate "rate"/],
    ['errors', 'p(95)<1', /errors has no aggregate/],
    ['makespan', 'mean<1s', /makespan has no aggregate/],
    ['wait', 'max<5%', /duration cannot be a percentage/],
    ['errors', 'rate<5s', /no unit "s"/],
    ['errors', 'count<1.5', /whole number/],
    ['wait', 'max<-1s', /not a threshold condition/],
  ];
  for (const [key, condition, pattern] of cases) {
    const result = parseThreshold(key, condition);
    assert.ok(!result.ok, `${key} ${condition} should be refused`);
    assert.match(result.message, pattern, `${key} ${condition}`);
    assert.ok(result.fix.length > 0);
  }
});

test('command-line thresholds split at the first = after the key', () => {
  const plain = parseThresholdOption('wait=p(95)<=5s');
  assert.ok(plain.ok);
  assert.equal(plain.value.key, 'wait');
  assert.equal(plain.value.operator, '<=');
  const tagged = parseThresholdOption('wait{topology:x=y}=max<2s');
  assert.ok(tagged.ok);
  assert.equal(tagged.value.topology, 'x=y');
  assert.equal(tagged.value.value, 2);
  const bad = parseThresholdOption('p(95)<5s');
  assert.ok(!bad.ok);
  assert.match(bad.message, /metric=condition/);
});
