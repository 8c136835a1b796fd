/**
 * The Kubernetes objects of a sharded run (issue 18): one plan, N shards, one start.
 *
 *   ConfigMap <job>-scenario      the scenario file, mounted read-only at /scenario
 *   PersistentVolumeClaim <job>-results (ReadWriteMany), mounted at /results in every pod
 *   Job <job>                     completionMode Indexed, completions = parallelism = N;
 *                                 pod i runs `scenario /scenario/<file> --shards N --start-at T`
 *                                 with JOB_COMPLETION_INDEX = i (set by the Job controller; also
 *                                 declared from the pod's completion-index annotation, so that
 *                                 $(JOB_COMPLETION_INDEX) expands in the arguments) and writes
 *                                 its run directory under /results/<job>/shard-<i>/
 *   Pod <job>-collect             (collect.yaml, applied after the Job completes) mounts the same
 *                                 claim read-only and sleeps, so that `kubectl cp` copies the
 *                                 shards' directories out; then it is deleted
 *
 * Why a ReadWriteMany claim rather than logs: a shard's run directory holds HDR histograms and
 * one record per request (megabytes for tens of thousands of users), which the kubelet's log
 * rotation (10 MiB by default) may cut, and a Completed pod's files cannot be copied with
 * `kubectl cp` (its container has stopped). A claim outlives the pods, so a shard that finished
 * early keeps its results while a slower one runs, and the collection is one copy.
 *
 * Every pod gets the same --start-at, an absolute wall-clock instant, so the shards' bursts start
 * together whenever each pod was scheduled. A shard is never run again (`backoffLimitPerIndex: 0`,
 * `restartPolicy: Never`): run after the start instant it is not the same plan's share, and the
 * merge names the missing share instead (npm run merge). The limit is per index, not the Job's
 * `backoffLimit: 0`, because a Job that reaches its backoffLimit terminates its running pods: one
 * failed shard would stop the others mid-burst. With a per-index limit the other shards run on and
 * the Job ends Failed with the index in status.failedIndexes (Kubernetes 1.29 or later; GA 1.33).
 *
 * Pure: takes the values, returns plain objects; harness/k8s/validate-manifests.ts checks them
 * against Kubernetes' schema and harness/cli/k8s-run.ts writes them.
 */

/** What a sharded run on Kubernetes needs, validated by the CLI. */
export interface K8sRunSpec {
  /** The Job's name, also the prefix of every other object's (a DNS-1123 label, at most 52). */
  jobName: string;
  namespace: string;
  /** The file name the scenario is mounted as (`contest-200.json`). */
  scenarioFile: string;
  /** The scenario file's text, as the ConfigMap holds it. */
  scenarioText: string;
  shards: number;
  image: string;
  /** The shared start, an ISO 8601 UTC instant. */
  startAt: string;
  /** `--url`: the server every shard loads (a shard loads a running server, never its own). */
  url: string;
  /** `--allow-remote` hosts passed to every shard. */
  allowRemote: readonly string[];
  /** `--only` topologies passed to every shard. */
  only: readonly string[];
  /** `--seed` for every shard: the same plan needs the same seed. */
  seed?: number;
  /** The claim's size, a Kubernetes quantity (`1Gi`). */
  storage: string;
  /** The claim's storage class; absent, the cluster's default class. */
  storageClass?: string;
  /** The Job's activeDeadlineSeconds: a run that has not ended by then is stopped. */
  deadlineSeconds: number;
  /** The harness's version, recorded as a label. */
  version: string;
}

/** A Kubernetes object as plain data. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  [field: string]: unknown;
}

/** Where the pods mount things. */
export const MOUNTS = { scenario: '/scenario', results: '/results' } as const;

/** The label every object carries, so `kubectl delete -l` removes a run's objects. */
export const RUN_LABEL = 'capacity-harness/run';

/** The objects applied together (job.yaml) and the collector applied afterwards (collect.yaml). */
export function buildManifests(spec: K8sRunSpec): { job: K8sObject[]; collect: K8sObject[] } {
  const labels = {
    'app.kubernetes.io/name': 'capacity-harness',
    'app.kubernetes.io/version': spec.version,
    [RUN_LABEL]: spec.jobName,
  };
  const meta = (name: string) => ({ name, namespace: spec.namespace, labels });
  const claimName = `${spec.jobName}-results`;
  const configName = `${spec.jobName}-scenario`;
  const runDir = `${MOUNTS.results}/${spec.jobName}`;
  const args = [
    'scenario',
    `${MOUNTS.scenario}/${spec.scenarioFile}`,
    '--shards',
    String(spec.shards),
    '--start-at',
    spec.startAt,
    '--reports-dir',
    `${runDir}/shard-$(JOB_COMPLETION_INDEX)`,
    '--no-progress',
    '--url',
    spec.url,
    ...spec.allowRemote.flatMap((host) => ['--allow-remote', host]),
    ...spec.only.flatMap((name) => ['--only', name]),
    ...(spec.seed === undefined ? [] : ['--seed', String(spec.seed)]),
  ];
  const configMap: K8sObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(configName),
    data: { [spec.scenarioFile]: spec.scenarioText },
  };
  const claim: K8sObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(claimName),
    spec: {
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: spec.storage } },
      ...(spec.storageClass === undefined ? {} : { storageClassName: spec.storageClass }),
    },
  };
  // The image runs as the `node` user (uid 1000); fsGroup makes the claim writable by it. With
  // the container's settings below, the pods meet the "restricted" Pod Security Standard, so
  // they are admitted in namespaces that enforce it.
  const podSecurity = {
    runAsNonRoot: true,
    runAsUser: 1000,
    runAsGroup: 1000,
    fsGroup: 1000,
    seccompProfile: { type: 'RuntimeDefault' },
  };
  const containerSecurity = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
  };
  const job: K8sObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(spec.jobName),
    spec: {
      completionMode: 'Indexed',
      completions: spec.shards,
      parallelism: spec.shards,
      backoffLimitPerIndex: 0,
      activeDeadlineSeconds: spec.deadlineSeconds,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          securityContext: podSecurity,
          // Shards on different nodes where the cluster has room: the point of sharding a burst
          // is that one machine's connect rate does not bound it (issue 18).
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    labelSelector: { matchLabels: { [RUN_LABEL]: spec.jobName } },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                },
              ],
            },
          },
          containers: [
            {
              name: 'shard',
              image: spec.image,
              args,
              securityContext: containerSecurity,
              env: [
                {
                  name: 'JOB_COMPLETION_INDEX',
                  valueFrom: {
                    fieldRef: {
                      fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']",
                    },
                  },
                },
              ],
              volumeMounts: [
                { name: 'scenario', mountPath: MOUNTS.scenario, readOnly: true },
                { name: 'results', mountPath: MOUNTS.results },
              ],
            },
          ],
          volumes: [
            { name: 'scenario', configMap: { name: configName } },
            { name: 'results', persistentVolumeClaim: { claimName } },
          ],
        },
      },
    },
  };
  const collector: K8sObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(`${spec.jobName}-collect`),
    spec: {
      restartPolicy: 'Never',
      securityContext: podSecurity,
      // Bounded: a collector forgotten after the copy ends by itself within the hour.
      activeDeadlineSeconds: 3600,
      containers: [
        {
          name: 'collect',
          image: spec.image,
          command: ['sleep', '3600'],
          securityContext: containerSecurity,
          volumeMounts: [{ name: 'results', mountPath: MOUNTS.results, readOnly: true }],
        },
      ],
      volumes: [{ name: 'results', persistentVolumeClaim: { claimName, readOnly: true } }],
    },
  };
  return { job: [configMap, claim, job], collect: [collector] };
}

/** A DNS-1123 label (namespaces, Job names): lower-case letters, digits and '-', at most `max`. */
export function isDnsLabel(value: string, max = 63): boolean {
  return value.length <= max && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value);
}

/**
 * The default Job name: `harness-<scenario>-<start as yyyymmddhhmmss>`, the scenario's name made
 * a DNS-1123 label and cut so that the whole fits in 52 characters (Kubernetes' limit for a Job
 * name, whose pods' labels must fit in 63). The start instant keeps two runs' objects apart.
 */
export function defaultJobName(scenario: string, startAt: Date): string {
  const stamp = startAt.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const room = 52 - 'harness-'.length - 1 - stamp.length;
  const base =
    scenario
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, room)
      .replace(/-+$/, '') || 'run';
  return `harness-${base}-${stamp}`;
}
