import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { packageRoot } from '../../targets/package-root.js';
import { JSON_SCHEMA_PATH, scenarioJsonSchema } from './json-schema.js';

/**
 * The shipped JSON Schema is what the validator's schema generates, and it accepts every
 * built-in scenario and refuses what the harness refuses for the same reason (a check with
 * Ajv, the validator editors and CI tools use).
 */

const root = packageRoot();
const shipped = JSON.parse(readFileSync(join(root, JSON_SCHEMA_PATH), 'utf8')) as object;
const builtIn = readdirSync(join(root, 'scenarios'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({
    file: join(root, 'scenarios', f),
    data: JSON.parse(readFileSync(join(root, 'scenarios', f), 'utf8')) as Record<string, unknown>,
  }));
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(shipped);

test(`${JSON_SCHEMA_PATH} is current: what the validator's schema generates`, () => {
  assert.deepEqual(
    shipped,
    scenarioJsonSchema(),
    'regenerate it: node dist/harness/scenario/write-json-schema.js && npx biome format --write scenarios',
  );
});

test('every built-in scenario validates against the JSON Schema and names it in $schema', () => {
  assert.ok(builtIn.length >= 10);
  for (const { file, data } of builtIn) {
    assert.ok(validate(data), `${file}: ${JSON.stringify(validate.errors)}`);
    assert.equal(
      resolve(dirname(file), String(data.$schema)),
      join(root, JSON_SCHEMA_PATH),
      `${file}: $schema`,
    );
  }
});

test('the JSON Schema refuses what the harness refuses field by field', () => {
  const base = builtIn.find((s) => s.data.name === 'contest-200')?.data as Record<string, unknown>;
  const topologies = base.topologies as Array<Record<string, unknown>>;
  const broken: Array<[string, Record<string, unknown>]> = [
    ['an unknown field', { ...base, tmeScale: 1 }],
    ['an unknown kind', { ...base, topologies: [{ ...topologies[0], kind: 'tomcat' }] }],
    ['a time scale of 0', { ...base, timeScale: 0 }],
    ['no topologies', { ...base, topologies: [] }],
    ['expectErrors as a string', { ...base, expectErrors: 'yes' }],
  ];
  for (const [what, data] of broken) assert.equal(validate(data), false, what);
});
