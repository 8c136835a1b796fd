import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { describeError, HarnessError, ScenarioInvalidError } from '../errors.js';
import { executorOf } from '../load/executors/registry.js';
import { serviceTableSize } from '../run/plan.js';
import { Clock } from './clock.js';
import { describeLoad } from './describe-load.js';
import { jsonErrorOffset } from './json-position.js';
import { loadScenario, parseJson, scenariosDir } from './load.js';
import { loadDuration, loadRequests, MAX_REQUESTS } from './load-schema.js';
import { MAX_REQUEST_TIMEOUT, MAX_RUN_TIMEOUT, MAX_START_TIMEOUT } from './schema.js';
import { validateScenario } from './validate.js';

/**
 * Property-based tests (fast-check) of the scenario parser: whatever a file holds, arbitrary
 * JSON, a valid scenario mutated, or any text at all, parsing ends in a scenario or in the
 * harness's own error listing the problems, never in an uncaught exception; every scenario it
 * accepts is bounded; nothing in a file reaches Object.prototype. fast-check prints the seed and
 * the shrunk counterexample of a failure; FUZZ_SEED=<seed> repeats a run, FUZZ_RUNS scales it.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const seed = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };
const settings = (numRuns: number) => ({ numRuns, ...seed });

/** The built-in scenarios as their files hold them, the seeds of the mutations. */
const builtIns: unknown[] = readdirSync(scenariosDir())
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(scenariosDir(), f), 'utf8')));

/**
 * What the parser promises for any input: a scenario within every bound, or issues that each
 * name a field, say what is wrong and how to fix it, from which the error message is made.
 */
const tally = { accepted: 0, refused: 0 };

function checkOutcome(raw: unknown): void {
  const result = validateScenario(raw, 'fuzz.json', 'fuzz');
  tally[result.ok ? 'accepted' : 'refused'] += 1;
  if (!result.ok) {
    assert.ok(result.issues.length > 0);
    for (const issue of result.issues) {
      for (const part of [issue.path, issue.message, issue.fix])
        assert.ok(typeof part === 'string' && part.length > 0, JSON.stringify(issue));
    }
    describeError(new ScenarioInvalidError('fuzz.json', result.issues));
    return;
  }
  const { scenario } = result;
  assert.ok(scenario.timeScale > 0 && scenario.timeScale <= 10);
  assert.ok(scenario.topologies.length >= 1 && scenario.topologies.length <= 20);
  const { runTimeout, requestTimeout, startTimeout } = scenario.limits;
  assert.ok(runTimeout > 0 && runTimeout <= MAX_RUN_TIMEOUT, `runTimeout ${runTimeout}`);
  assert.ok(requestTimeout > 0 && requestTimeout <= MAX_REQUEST_TIMEOUT);
  assert.ok(startTimeout === undefined || (startTimeout > 0 && startTimeout <= MAX_START_TIMEOUT));
  const planned = loadRequests(scenario.load);
  assert.ok(planned === null || planned <= MAX_REQUESTS, `plans ${planned} requests`);
  const lasts = loadDuration(scenario.load);
  assert.ok(lasts === null || lasts * scenario.timeScale <= runTimeout, 'outlasts its run limit');
  // What the run makes of it first, pure, must not throw either.
  describeLoad(scenario.load);
  executorOf(scenario.load).task(scenario.load, {
    clock: new Clock(scenario.timeScale),
    seed: scenario.model.seed,
    arrivals: new Float64Array(0),
  });
  serviceTableSize(scenario.load);
}

/** Keys a scenario has, keys an attacker would try, and some noise. */
const key = fc.oneof(
  fc.constantFrom(
    'name',
    'timeScale',
    'load',
    'executor',
    'users',
    'rate',
    'duration',
    'stages',
    'service',
    'time',
    'samples',
    'topologies',
    'kind',
    'workers',
    'replicas',
    'limits',
    'runTimeout',
    'thresholds',
    'wait',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
  ),
  fc.string({ maxLength: 12 }),
);

/** JSON-like values whose objects use those keys, so that they reach deep into the format. */
const { value: scenarioLike } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1, 1, 1e308, 2 ** 32, 0.5, '', '2s', '1h', 'burst'),
    fc.double(),
    fc.integer(),
    fc.string({ maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 6 }),
  ),
}));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every place in a value where a mutation can happen: the containers and their keys. */
function places(
  root: Json,
): Array<{ parent: Json[] | { [key: string]: Json }; key: string | number }> {
  const out: Array<{ parent: Json[] | { [key: string]: Json }; key: string | number }> = [];
  const walk = (node: Json): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        out.push({ parent: node, key: i });
        walk(child);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const [k, child] of Object.entries(node)) {
        out.push({ parent: node, key: k });
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

const mutation = fc.tuple(
  fc.nat(),
  fc.constantFrom('set', 'delete', 'add', 'wrap', 'double'),
  scenarioLike,
  key,
);

function mutate(base: unknown, ops: Array<[number, string, unknown, string]>): Json {
  const root = structuredClone(base) as Json;
  for (const [at, op, value, name] of ops) {
    const all = places(root);
    const place = all[at % Math.max(1, all.length)];
    if (place === undefined) continue;
    const parent = place.parent as Record<string | number, Json>;
    const current = parent[place.key] as Json;
    if (op === 'set') parent[place.key] = value as Json;
    else if (op === 'delete') {
      if (Array.isArray(parent)) parent.splice(place.key as number, 1);
      else delete parent[place.key];
    } else if (op === 'add' && current !== null && typeof current === 'object') {
      if (Array.isArray(current)) current.push(value as Json);
      // Defined as an own property even for "__proto__", as JSON.parse would.
      else
        Object.defineProperty(current, name, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    } else if (op === 'wrap') parent[place.key] = [current];
    else if (op === 'double' && typeof current === 'number') parent[place.key] = current * 1e9;
  }
  return root;
}

test('arbitrary JSON values: a scenario or a listed problem, never an exception', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => checkOutcome(value)),
    settings(RUNS),
  );
  fc.assert(
    fc.property(scenarioLike, (value) => checkOutcome(value)),
    settings(RUNS),
  );
});

test('valid scenarios mutated: a scenario within every bound or a listed problem', (t) => {
  const before = { ...tally };
  fc.assert(
    fc.property(
      fc.constantFrom(...builtIns),
      fc.array(mutation, { minLength: 1, maxLength: 6 }),
      (base, ops) => checkOutcome(mutate(base, ops)),
    ),
    settings(RUNS * 2),
  );
  const accepted = tally.accepted - before.accepted;
  const refused = tally.refused - before.refused;
  t.diagnostic(
    `${accepted} mutated scenarios accepted (and checked for bounds), ${refused} refused`,
  );
  // Both sides are reached: the bounds are checked on real scenarios, the errors on real faults.
  assert.ok(accepted > 0 && refused > 0);
});

test('any text as a file: valid JSON or E_SCENARIO_SYNTAX located where JSON stops', () => {
  const texts = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.json({ maxDepth: 4 }),
    // JSON with a character changed, removed or inserted: the mistakes people make.
    fc
      .tuple(
        fc.constantFrom(...builtIns.map((s) => JSON.stringify(s, null, 2))),
        fc.nat(),
        fc.constantFrom('', ',', '"', '}', ']', ':', '/', 'NaN', "'", '\\', '\u0000', '\uFEFF'),
      )
      .map(([text, at, insert]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + (at % 2));
      }),
  );
  fc.assert(
    fc.property(texts, (text) => {
      let raw: unknown;
      let parsed = true;
      try {
        raw = JSON.parse(text);
      } catch {
        parsed = false;
      }
      // The recogniser that locates mistakes agrees with JSON.parse on what is JSON.
      const offset = jsonErrorOffset(text);
      assert.equal(offset === -1, parsed, `offset ${offset} for ${JSON.stringify(text)}`);
      assert.ok(offset <= text.length);
      try {
        raw = parseJson(text, 'fuzz.json');
      } catch (error) {
        assert.ok(!parsed);
        assert.ok(error instanceof HarnessError && error.code === 'E_SCENARIO_SYNTAX');
        assert.match(error.message, /^fuzz\.json:\d+:\d+: not valid JSON/);
        return;
      }
      checkOutcome(raw);
    }),
    settings(RUNS * 2),
  );
});

test('files read from disk end only in the harness’s own errors', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'harness-fuzz-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 100 }),
        fc
          .tuple(fc.constantFrom(...builtIns), fc.array(mutation, { maxLength: 4 }))
          .map(([base, ops]) => JSON.stringify(mutate(base, ops))),
      ),
      async (text) => {
        const file = join(dir, `f${n++}.json`);
        await writeFile(file, text);
        try {
          await loadScenario(file);
        } catch (error) {
          assert.ok(error instanceof HarnessError, String(error));
          assert.ok(['E_SCENARIO_SYNTAX', 'E_SCENARIO_INVALID'].includes(error.code));
        }
      },
    ),
    settings(Math.ceil(RUNS / 5)),
  );
});

test('nothing in a scenario file reaches Object.prototype', () => {
  const hostile = fc
    .tuple(
      fc.constantFrom(...builtIns),
      fc.constantFrom('__proto__', 'constructor', 'prototype'),
      fc.constantFrom('{"polluted":true}', '{"prototype":{"polluted":true}}', '[1]', 'null'),
    )
    .map(([base, name, value]) => {
      // Spliced into the text, as an attacker would write the file: JSON.parse makes own keys.
      const text = JSON.stringify(base);
      return `{"${name}":${value},${text.slice(1)}`;
    });
  fc.assert(
    fc.property(hostile, (text) => {
      checkOutcome(parseJson(text, 'fuzz.json'));
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(Object.getOwnPropertyNames(Object.prototype).includes('polluted'), false);
    }),
    settings(200),
  );
});
