import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildManifests, defaultJobName, isDnsLabel, type K8sRunSpec } from './manifests.js';
import { validateManifests } from './validate-manifests.js';

const SPEC: K8sRunSpec = {
  jobName: 'harness-contest-200-20261202223000',
  namespace: 'load',
  scenarioFile: 'contest-200.json',
  scenarioText: '{ "load": { "kind": "burst", "users": 200 } }\n',
  shards: 4,
  image: 'registry.example.com/capacity-harness:0.1.0',
  startAt: '2026-12-02T22:30:00.000Z',
  url: 'http://staging.example.com:8000/',
  allowRemote: ['staging.example.com'],
  only: ['sync-4-x3'],
  seed: 7,
  storage: '1Gi',
  deadlineSeconds: 1890,
  version: '0.1.0',
};

/** A deep copy to mutate. */
const fresh = () => structuredClone(buildManifests(SPEC));

test('the generated objects pass Kubernetes schema validation', () => {
  const { job, collect } = buildManifests(SPEC);
  assert.deepEqual(
    job.map((o) => o.kind),
    ['ConfigMap', 'PersistentVolumeClaim', 'Job'],
  );
  assert.deepEqual(
    collect.map((o) => o.kind),
    ['Pod'],
  );
  assert.deepEqual(validateManifests([...job, ...collect]), []);
});

test('the Job is Indexed with N completions and parallelism N, each pod one shard of the same start', () => {
  const [, claim, job] = buildManifests(SPEC).job;
  const spec = job?.spec as {
    completionMode: string;
    completions: number;
    parallelism: number;
    backoffLimit?: number;
    backoffLimitPerIndex: number;
    template: {
      spec: {
        containers: Array<{ args: string[]; env: Array<{ name: string; valueFrom: unknown }> }>;
      };
    };
  };
  assert.equal(spec.completionMode, 'Indexed');
  assert.equal(spec.completions, 4);
  assert.equal(spec.parallelism, 4);
  // Per index: a failed shard must not make the Job terminate the others (backoffLimit would).
  assert.equal(spec.backoffLimitPerIndex, 0);
  assert.equal(spec.backoffLimit, undefined);
  const container = spec.template.spec.containers[0];
  const args = container?.args ?? [];
  const after = (flag: string) => args[args.indexOf(flag) + 1];
  assert.equal(args[0], 'scenario');
  assert.equal(args[1], '/scenario/contest-200.json');
  assert.equal(after('--shards'), '4');
  assert.equal(after('--start-at'), SPEC.startAt);
  assert.equal(after('--url'), SPEC.url);
  assert.equal(after('--allow-remote'), 'staging.example.com');
  assert.equal(after('--only'), 'sync-4-x3');
  assert.equal(after('--seed'), '7');
  assert.equal(after('--reports-dir'), `/results/${SPEC.jobName}/shard-$(JOB_COMPLETION_INDEX)`);
  // $(JOB_COMPLETION_INDEX) expands only for a variable the container declares.
  assert.deepEqual(
    container?.env.map((e) => e.name),
    ['JOB_COMPLETION_INDEX'],
  );
  // Admitted under the "restricted" Pod Security Standard; spread over nodes where it can be.
  const pod = job?.spec as {
    template: {
      spec: {
        securityContext: Record<string, unknown>;
        affinity: {
          podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: unknown[] };
        };
        containers: Array<{ securityContext: Record<string, unknown> }>;
      };
    };
  };
  assert.equal(pod.template.spec.securityContext.runAsNonRoot, true);
  assert.deepEqual(pod.template.spec.securityContext.seccompProfile, { type: 'RuntimeDefault' });
  assert.deepEqual(pod.template.spec.containers[0]?.securityContext, {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
  });
  assert.equal(
    pod.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution
      .length,
    1,
  );
  assert.deepEqual((claim?.spec as { accessModes?: string[] } | undefined)?.accessModes, [
    'ReadWriteMany',
  ]);
});

test('a broken manifest is refused, naming the object and the field', () => {
  type Mutation = [string, (m: ReturnType<typeof fresh>) => void, RegExp];
  const job = (m: ReturnType<typeof fresh>) =>
    m.job[2] as unknown as {
      spec: {
        completions: unknown;
        completionMode: unknown;
        template: { spec: { restartPolicy: unknown; containers: Array<Record<string, unknown>> } };
      };
    };
  const mutations: Mutation[] = [
    [
      'completions as a string',
      (m) => {
        job(m).spec.completions = '4';
      },
      /^Job harness-contest-200-20261202223000: \/spec\/completions must be integer$/,
    ],
    [
      'an unknown completionMode',
      (m) => {
        job(m).spec.completionMode = 'Indexd';
      },
      /\/spec\/completionMode must be equal to one of the allowed values/,
    ],
    [
      'a container without its name',
      (m) => {
        delete job(m).spec.template.spec.containers[0]?.name;
      },
      /\/spec\/template\/spec\/containers\/0 must have required property name$/,
    ],
    [
      'accessModes not a list',
      (m) => {
        (m.job[1] as unknown as { spec: { accessModes: unknown } }).spec.accessModes =
          'ReadWriteMany';
      },
      /^PersistentVolumeClaim .*-results: \/spec\/accessModes must be array$/,
    ],
    [
      "the ConfigMap's data not strings",
      (m) => {
        (m.job[0] as unknown as { data: Record<string, unknown> }).data['contest-200.json'] = {
          load: 1,
        };
      },
      /^ConfigMap .*-scenario: .*must be string$/,
    ],
    [
      'an anti-affinity term without its topologyKey',
      (m) => {
        const term = (
          m.job[2] as unknown as {
            spec: {
              template: {
                spec: {
                  affinity: {
                    podAntiAffinity: {
                      preferredDuringSchedulingIgnoredDuringExecution: Array<{
                        podAffinityTerm: Record<string, unknown>;
                      }>;
                    };
                  };
                };
              };
            };
          }
        ).spec.template.spec.affinity.podAntiAffinity
          .preferredDuringSchedulingIgnoredDuringExecution[0]?.podAffinityTerm;
        if (term !== undefined) delete term.topologyKey;
      },
      /podAffinityTerm must have required property topologyKey$/,
    ],
    [
      "the collector's volume without its claim",
      (m) => {
        const pod = m.collect[0] as unknown as {
          spec: { volumes: Array<{ persistentVolumeClaim: Record<string, unknown> }> };
        };
        const claim = pod.spec.volumes[0]?.persistentVolumeClaim;
        if (claim !== undefined) delete claim.claimName;
      },
      /^Pod .*-collect: .*persistentVolumeClaim must have required property claimName$/,
    ],
  ];
  for (const [what, mutate, expected] of mutations) {
    const m = fresh();
    mutate(m);
    const problems = validateManifests([...m.job, ...m.collect]);
    assert.equal(problems.length, 1, `${what}: ${problems.join('; ')}`);
    assert.match(problems[0] ?? '', expected, what);
  }
});

test('an object of a kind the harness does not write has no schema and is refused', () => {
  const m = fresh();
  const job = m.job[2];
  assert.ok(job !== undefined);
  assert.deepEqual(validateManifests([{ ...job, apiVersion: 'batch/v2' }]), [
    `Job ${SPEC.jobName}: no schema for batch/v2 Job`,
  ]);
});

test('default Job names are DNS-1123 labels of at most 52 characters, whatever the scenario', () => {
  const at = new Date('2026-12-02T22:30:05.123Z');
  assert.equal(defaultJobName('contest-200', at), 'harness-contest-200-20261202223005');
  for (const name of [
    'Contest_200',
    'a'.repeat(80),
    '--weird--',
    'ünïcode only',
    '',
    'x-'.repeat(40),
  ]) {
    const job = defaultJobName(name, at);
    assert.ok(isDnsLabel(job, 52), `${JSON.stringify(name)} -> ${job}`);
    assert.deepEqual(validateManifests(buildManifests({ ...SPEC, jobName: job }).job), []);
  }
  assert.equal(isDnsLabel('Default'), false);
  assert.equal(isDnsLabel('-a'), false);
  assert.equal(isDnsLabel('a'.repeat(64)), false);
});
