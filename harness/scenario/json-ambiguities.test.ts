import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonAmbiguities } from './json-ambiguities.js';

test('a key given twice is found with its path and the place of the second, at any depth', () => {
  const text = '{"a":1,"load":{"users":2,"x":[{"k":1,"k":2}],"users":3},"a":4,"b c":{"d":1,"d":2}}';
  assert.deepEqual(
    jsonAmbiguities(text).map((a) => [
      a.problem,
      a.path,
      a.text,
      text.slice(a.offset, a.offset + 3),
    ]),
    [
      ['duplicate-key', 'load.x[0].k', 'k', '"k"'],
      ['duplicate-key', 'load.users', 'users', '"us'],
      ['duplicate-key', 'a', 'a', '"a"'],
      ['duplicate-key', '["b c"].d', 'd', '"d"'],
    ],
  );
});

test('keys equal only after their escapes are read count as the same key', () => {
  assert.deepEqual(
    jsonAmbiguities('{"users":1,"\\u0075sers":2}').map((a) => a.path),
    ['users'],
  );
});

test('a number beyond a double is found; large, tiny and negative zero numbers are not', () => {
  const text = '{"a":1e400,"b":[-1e309],"c":1e308,"d":1e-400,"e":-0,"f":"1e400","g":true,"h":null}';
  assert.deepEqual(
    jsonAmbiguities(text).map((a) => [a.problem, a.path, a.text]),
    [
      ['number-overflow', 'a', '1e400'],
      ['number-overflow', 'b[0]', '-1e309'],
    ],
  );
  assert.deepEqual(
    jsonAmbiguities('1e999').map((a) => a.path),
    ['(top level)'],
  );
});

test('plain JSON has none, strings with quotes, braces and escapes included', () => {
  assert.deepEqual(
    jsonAmbiguities(' { "a" : "x\\"}{[" , "b" : [ ] , "c" : { } , "d" : [ 1 , { "a" : 2 } ] } '),
    [],
  );
});
