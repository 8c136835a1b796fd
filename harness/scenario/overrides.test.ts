import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  type HarnessError,
  OptionError,
  ScenarioInvalidError,
  ThresholdInvalidError,
} from '../errors.js';
import { loadScenario, scenariosDir } from './load.js';
import { attribute, withOverrides } from './overrides.js';
import { validateScenario } from './validate.js';

async function refusal(load: Promise<unknown>): Promise<HarnessError> {
  try {
    await load;
  } catch (error) {
    return error as HarnessError;
  }
  assert.fail('the scenario was accepted');
}

async function contestWith(t: { after(fn: () => Promise<void>): void }, patch: object) {
  const dir = await mkdtemp(join(tmpdir(), 'overrides-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const body = JSON.parse(await readFile(join(scenariosDir(), 'contest-200.json'), 'utf8'));
  const file = join(dir, 'contest.json');
  await writeFile(file, JSON.stringify({ ...body, ...patch }));
  return file;
}

test('--time-scale 0.001 is refused with the field and the reason, as the same value in the file is', async (t) => {
  const fromOption = await refusal(loadScenario('contest-200', undefined, { timeScale: 0.001 }));
  assert.ok(fromOption instanceof OptionError, String(fromOption));
  assert.equal(fromOption.exitCode, 104);
  assert.match(
    fromOption.message,
    /^--time-scale 0\.001: at timeScale 0\.001 each real millisecond/,
  );
  assert.match(fromOption.fix ?? '', /timeScale of 0\.01 or more/);

  const fromFile = await refusal(loadScenario(await contestWith(t, { timeScale: 0.001 })));
  assert.ok(fromFile instanceof ScenarioInvalidError, String(fromFile));
  assert.equal(fromFile.exitCode, 104);
  const [issue] = fromFile.issues;
  assert.equal(fromFile.issues.length, 1);
  assert.equal(issue?.path, 'timeScale');
  // Judged alike: the same message and fix, only where the value came from differs.
  assert.equal(`--time-scale 0.001: ${issue?.message}`, fromOption.message);
  assert.equal(issue?.fix, fromOption.fix);

  // At the smallest allowed scale the same scenario is accepted, from either place.
  const ok = await loadScenario('contest-200', undefined, { timeScale: 0.01 });
  assert.equal(ok.timeScale, 0.01);
  assert.equal((await loadScenario(await contestWith(t, { timeScale: 0.01 }))).timeScale, 0.01);
});

test('every value the command line sets is checked with the file, by the checks that see it run', async () => {
  // 60 s of load at timeScale 10 is 600 real seconds, beyond steady-poisson's runTimeout of 3m:
  // a check that needs the time scale and another field together.
  const error = await refusal(loadScenario('steady-poisson', undefined, { timeScale: 10 }));
  assert.ok(error instanceof ScenarioInvalidError);
  assert.match(
    error.message,
    /load\.duration: the load lasts 3000\.0 real seconds, beyond limits\.runTimeout/,
  );
});

test('a threshold on the command line is judged as the same threshold in the file', async (t) => {
  const fromOption = await refusal(
    loadScenario('contest-200', undefined, {
      thresholds: ['wait=p95<5s', 'wait{topology:nope}=max<1s'],
    }),
  );
  assert.ok(fromOption instanceof ThresholdInvalidError);
  assert.match(fromOption.message, /2 thresholds are malformed/);
  assert.match(
    fromOption.message,
    /--threshold "wait=p95<5s": "p95<5s" is not a threshold condition/,
  );
  assert.match(
    fromOption.message,
    /--threshold "wait\{topology:nope\}=max<1s": no topology is named "nope"/,
  );

  const fromFile = await refusal(
    loadScenario(
      await contestWith(t, { thresholds: { wait: ['p95<5s'], 'wait{topology:nope}': ['max<1s'] } }),
    ),
  );
  assert.ok(fromFile instanceof ScenarioInvalidError);
  assert.deepEqual(
    fromFile.issues.map((i) => i.message),
    ['"p95<5s" is not a threshold condition', 'no topology is named "nope"'],
  );

  const merged = await loadScenario('contest-200', undefined, {
    thresholds: ['wait=p(95)<5s', 'wait{topology:sync-4-x3}=max<20s'],
  });
  assert.deepEqual(
    merged.thresholds?.map((th) => [th.source.key, th.source.condition, th.value]),
    [
      ['wait', 'p(95)<5s', 5],
      ['wait{topology:sync-4-x3}', 'max<20s', 20],
    ],
  );
});

test('--only selects after the whole file is validated; --url goes to the one topology left', async () => {
  const only = await loadScenario('contest-200', undefined, { only: ['sync-4-x3'] });
  assert.deepEqual(
    only.topologies.map((t) => t.name),
    ['sync-4-x3'],
  );
  const unknown = await refusal(loadScenario('contest-200', undefined, { only: ['nope'] }));
  assert.ok(unknown instanceof OptionError);
  assert.match(unknown.message, /--only "nope": no such topology/);

  const two = await refusal(loadScenario('contest-200', undefined, { url: 'http://127.0.0.1:9/' }));
  assert.ok(two instanceof OptionError);
  assert.match(two.message, /one server, but 4 topologies would run/);

  const url = await loadScenario('contest-200', undefined, {
    only: ['sync-4-x3'],
    url: 'http://127.0.0.1:9/work',
  });
  assert.equal(url.topologies[0]?.url, 'http://127.0.0.1:9/work');

  const badUrl = await refusal(
    loadScenario('contest-200', undefined, { only: ['sync-4-x3'], url: 'ftp://x' }),
  );
  assert.ok(badUrl instanceof OptionError);
  assert.match(badUrl.message, /^--url ftp:\/\/x: /);
});

test('issues at fields the options set are named by the option; others keep their field', () => {
  const merged = withOverrides(
    { load: { executor: 'burst', users: 1 }, service: { time: '1s' }, topologies: [] },
    { seed: -1, timeScale: 1 },
  );
  assert.ok(merged.ok);
  const validation = validateScenario(merged.document, 'x.json', 'x');
  assert.ok(!validation.ok);
  assert.deepEqual(
    attribute(validation.issues, merged.origins)
      .map((i) => i.path)
      .sort(),
    ['--seed -1', 'topologies'],
  );
});
