import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../targets/package-root.js';
import type { K8sObject } from '../k8s/manifests.js';
import { validateManifests } from '../k8s/validate-manifests.js';
import { runCliInProcess } from '../test-support/run-in-process.js';

/** `npm run k8s` end to end, in this process: the files it writes, and what it refuses. */

const BASE = [
  'k8s',
  'contest-200',
  '--shards',
  '4',
  '--image',
  'registry.example.com/capacity-harness:0.1.0',
  '--url',
  'http://10.20.0.1:8000/',
  '--allow-remote',
  '10.20.0.1',
  '--only',
  'sync-4-x3',
];

async function readStream(file: string): Promise<K8sObject[]> {
  const docs = parseAllDocuments(await readFile(file, 'utf8'));
  assert.ok(Array.isArray(docs));
  for (const doc of docs) assert.deepEqual(doc.errors, [], file);
  return docs.map((d) => d.toJS() as K8sObject);
}

test('k8s writes job.yaml and collect.yaml that parse and pass Kubernetes schema validation', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'harness-k8s-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  const before = Date.now();
  const run = await runCliInProcess([
    ...BASE,
    '--namespace',
    'load-tests',
    '--start-delay',
    '2m',
    '--out',
    out,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const job = await readStream(join(out, 'job.yaml'));
  const collect = await readStream(join(out, 'collect.yaml'));
  assert.deepEqual(validateManifests([...job, ...collect]), []);
  assert.deepEqual(
    job.map((o) => o.kind),
    ['ConfigMap', 'PersistentVolumeClaim', 'Job'],
  );
  for (const o of [...job, ...collect]) assert.equal(o.metadata.namespace, 'load-tests');
  // The ConfigMap holds the scenario file as it is, byte for byte.
  const scenario = await readFile(join(packageRoot(), 'scenarios', 'contest-200.json'), 'utf8');
  assert.equal((job[0] as { data?: Record<string, string> }).data?.['contest-200.json'], scenario);
  const args = (
    job[2] as unknown as { spec: { template: { spec: { containers: Array<{ args: string[] }> } } } }
  ).spec.template.spec.containers[0]?.args;
  const startAt = Date.parse(args?.[(args?.indexOf('--start-at') ?? 0) + 1] ?? '');
  // Two minutes after the files were written, within the test's own time.
  assert.ok(startAt >= before + 120_000 && startAt <= Date.now() + 120_000, String(startAt));
  assert.match(run.stdout, /kubectl apply -f .*job\.yaml/);
  assert.match(run.stdout, /npm run merge -- /);
});

test('k8s with --start-at writes that instant, and an instant already past is refused', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'harness-k8s-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  const at = new Date(Date.now() + 3600_000);
  at.setUTCMilliseconds(0);
  const ok = await runCliInProcess([
    ...BASE,
    '--start-at',
    String(at.getTime()),
    '--name',
    'nightly',
    '--out',
    out,
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  const text = await readFile(join(out, 'job.yaml'), 'utf8');
  assert.ok(text.includes(at.toISOString()), 'the instant given, as ISO 8601');
  assert.match(text, /^ {2}name: nightly$/m);
  const past = await runCliInProcess([...BASE, '--start-at', '2020-01-01T00:00:00Z']);
  assert.equal(past.code, 104);
  assert.match(past.stderr, /E_OPTION_INVALID: --start-at 2020-01-01T00:00:00.000Z has passed/);
});

test('k8s refuses bad input with exit 104 and the fix, writing nothing', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'harness-k8s-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  const cases: Array<[string, string[], RegExp]> = [
    ['no --image', ['k8s', 'contest-200', '--shards', '2'], /required option '--image <image>'/],
    [
      'no --url',
      ['k8s', 'contest-200', '--shards', '2', '--image', 'x'],
      /required option '--url <url>'/,
    ],
    ['no --shards', ['k8s', 'contest-200', '--image', 'x'], /required option '--shards <n>'/],
    ['0 shards', [...BASE, '--shards', '0'], /expected a whole number from 1 to 1000/],
    ['a namespace in capitals', [...BASE, '--namespace', 'Load'], /--namespace "Load" is not/],
    ['a Job name too long', [...BASE, '--name', 'a'.repeat(53)], /--name "a+" is not a Job name/],
    ['a storage size', [...BASE, '--storage', '1GB'], /expected a storage quantity/],
    ['a start without zone', [...BASE, '--start-at', '2030-01-01T00:00'], /with its zone/],
    [
      'both starts',
      [...BASE, '--start-at', '2030-01-01T00:00:00Z', '--start-delay', '30s'],
      /cannot be used with option '--start-delay/,
    ],
    [
      'a remote URL not allowed',
      [...BASE.filter((a) => a !== '--allow-remote' && a !== '10.20.0.1')],
      /E_REMOTE_NOT_ALLOWED.*10\.20\.0\.1[\s\S]*fix: .*--allow-remote 10\.20\.0\.1/,
    ],
    [
      '--url with several topologies',
      BASE.filter((a) => a !== '--only' && a !== 'sync-4-x3'),
      /E_OPTION_INVALID: --url .*add --only|E_OPTION_INVALID[\s\S]*--only/,
    ],
    ['an unknown scenario', ['k8s', 'no-such', ...BASE.slice(2)], /E_SCENARIO_NOT_FOUND/],
    ['an empty image', [...BASE, '--image', ''], /expected an image reference/],
    ['an image in capitals', [...BASE, '--image', 'Harness:1'], /expected an image reference/],
  ];
  for (const [what, args, expected] of cases) {
    const run = await runCliInProcess([...args, '--out', out]);
    assert.equal(run.code, 104, `${what}: ${run.stderr}`);
    assert.match(run.stderr, expected, what);
  }
  const { readdir } = await import('node:fs/promises');
  assert.deepEqual(await readdir(out), []);
});

test('k8s refuses a scenario file whose name cannot be a ConfigMap key', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'harness-k8s-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'my scenario.json');
  await writeFile(
    file,
    await readFile(join(packageRoot(), 'scenarios', 'contest-200.json'), 'utf8'),
  );
  const run = await runCliInProcess(['k8s', file, ...BASE.slice(2), '--out', join(dir, 'out')]);
  assert.equal(run.code, 104, run.stderr);
  assert.match(
    run.stderr,
    /E_OPTION_INVALID: the scenario file's name "my scenario.json" cannot be a ConfigMap key/,
  );
  assert.match(run.stderr, /fix: rename the file/);
});

test('the Dockerfile builds on Node 20 with npm ci and fetches nothing when a pod runs', async () => {
  const text = await readFile(join(packageRoot(), 'Dockerfile'), 'utf8');
  const from = [...text.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
  assert.ok(
    from.length > 0 && from.every((image) => /^node:20[-.]/.test(image ?? '')),
    String(from),
  );
  assert.match(text, /^RUN npm ci\b/m);
  assert.match(text, /^USER node$/m);
  assert.match(
    text,
    /^ENTRYPOINT \["node", "--enable-source-maps", "harness\/cli\/launch\.mjs", "harness\/cli\/main\.js"\]$/m,
  );
  // Nothing fetched but by npm ci at build time: no curl, wget or ADD of a URL.
  assert.doesNotMatch(text, /\b(curl|wget)\b|^ADD\s+https?:/m);
  const ignore = await readFile(join(packageRoot(), '.dockerignore'), 'utf8');
  for (const path of ['node_modules', 'dist', 'reports'])
    assert.match(ignore, new RegExp(`^${path}$`, 'm'));
});
