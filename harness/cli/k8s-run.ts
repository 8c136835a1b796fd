import { readFile } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { packageRoot } from '../../targets/package-root.js';
import {
  ManifestInvalidError,
  OptionError,
  RemoteNotAllowedError,
  ResultsWriteError,
} from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { buildManifests, defaultJobName, isDnsLabel, type K8sObject } from '../k8s/manifests.js';
import { validateManifests } from '../k8s/validate-manifests.js';
import { writeFileAtomic } from '../results/atomic-write.js';
import { makeDirectories } from '../results/run-dir.js';
import { loadScenario, scenariosDir } from '../scenario/load.js';
import { remoteHostsNotAllowed } from '../scenario/target-url.js';
import type { CliIo } from './io.js';
import type { K8sOptions } from './k8s-command.js';
import { harnessVersion } from './version.js';

/** Several objects as one YAML stream, as `kubectl apply -f` reads it. */
export function toYamlStream(objects: readonly K8sObject[]): string {
  // lineWidth 0: no folding, so the scenario's JSON in the ConfigMap stays line for line.
  return objects
    .map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n');
}

/** Runs `k8s` with options parsed by k8s-command.ts. */
export async function k8sCommand(ref: string, options: K8sOptions, io: CliIo): Promise<ExitCode> {
  const now = Date.now();
  if (!isDnsLabel(options.namespace))
    throw new OptionError(`--namespace "${options.namespace}" is not a Kubernetes namespace name`, {
      fix: "use lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit",
    });
  if (options.name !== undefined && !isDnsLabel(options.name, 52))
    throw new OptionError(`--name "${options.name}" is not a Job name Kubernetes accepts`, {
      fix: "use lower-case letters, digits and '-', at most 52 (the pods' labels add to it), starting and ending with a letter or digit",
    });
  // The scenario is validated here as each shard will read it, with the same --url and --only.
  const path = isAbsolute(ref) || !ref.includes('/') ? ref : resolve(io.cwd, ref);
  const scenario = await loadScenario(path, undefined, {
    url: options.url,
    ...(options.only === undefined ? {} : { only: options.only }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  const looksLikePath = path.includes('/') || path.includes('\\') || extname(path) === '.json';
  const file = looksLikePath ? resolve(path) : join(scenariosDir(), `${path}.json`);
  // A ConfigMap key: the file keeps its name in the pods, as the scenario's name comes from it.
  if (!/^[-._a-zA-Z0-9]+$/.test(basename(file)))
    throw new OptionError(
      `the scenario file's name "${basename(file)}" cannot be a ConfigMap key`,
      { fix: "rename the file with letters, digits, '-', '_' and '.' only" },
    );
  const scenarioText = await readFile(file, 'utf8');
  const allowRemote = options.allowRemote ?? [];
  const refused = remoteHostsNotAllowed(
    options.url === undefined ? [] : [options.url],
    allowRemote,
  );
  if (refused.length > 0)
    throw new RemoteNotAllowedError(
      `--url sends every shard's load to ${refused.join(', ')}, which is not loopback`,
      { fix: `if you mean to load that server, say so: --allow-remote ${refused.join(' ')}` },
    );
  const startAt = options.startAt ?? new Date(now + options.startDelay * 1000);
  if (startAt.getTime() <= now)
    throw new OptionError(`--start-at ${startAt.toISOString()} has passed`, {
      fix: 'give an instant far enough ahead for the pods to be scheduled and pull the image, or use --start-delay',
    });
  const jobName = options.name ?? defaultJobName(scenario.name, startAt);
  const manifests = buildManifests({
    jobName,
    namespace: options.namespace,
    scenarioFile: basename(file),
    scenarioText,
    shards: options.shards,
    image: options.image,
    startAt: startAt.toISOString(),
    url: options.url,
    allowRemote,
    only: options.only ?? [],
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    storage: options.storage,
    ...(options.storageClass === undefined ? {} : { storageClass: options.storageClass }),
    deadlineSeconds: Math.ceil((startAt.getTime() - now) / 1000 + options.deadline),
    version: harnessVersion(),
  });
  const problems = validateManifests([...manifests.job, ...manifests.collect]);
  if (problems.length > 0)
    throw new ManifestInvalidError(
      `the manifests break Kubernetes' schema:\n  ${problems.join('\n  ')}`,
      { fix: 'correct the option that set the field named above (see --help)' },
    );
  const out =
    options.out === undefined
      ? join(packageRoot(), 'reports', 'k8s', jobName)
      : resolve(io.cwd, options.out);
  const jobFile = join(out, 'job.yaml');
  const collectFile = join(out, 'collect.yaml');
  try {
    await makeDirectories(out);
    await writeFileAtomic(jobFile, toYamlStream(manifests.job));
    await writeFileAtomic(collectFile, toYamlStream(manifests.collect));
  } catch (error) {
    throw new ResultsWriteError(
      `cannot write the manifests to ${out}: ${(error as Error).message}`,
      {
        fix: 'give --out a directory this user can write',
        cause: error,
      },
    );
  }
  const shown = (p: string) => relative(io.cwd, p) || '.';
  const ns = `-n ${options.namespace}`;
  const local = `reports/${jobName}`;
  io.stdout.write(
    `${[
      `wrote ${shown(jobFile)} (ConfigMap, PersistentVolumeClaim, Indexed Job of ${options.shards}) and ${shown(collectFile)}`,
      `shared start: ${startAt.toISOString()} (in ${Math.round((startAt.getTime() - now) / 1000)} s): apply now`,
      '',
      `kubectl apply -f ${shown(jobFile)}`,
      `kubectl ${ns} wait --for=condition=complete --timeout=${Math.ceil((startAt.getTime() - now) / 1000 + options.deadline)}s job/${jobName}`,
      `kubectl apply -f ${shown(collectFile)}`,
      `kubectl ${ns} wait --for=condition=Ready pod/${jobName}-collect`,
      `kubectl cp ${options.namespace}/${jobName}-collect:/results/${jobName} ${local}`,
      `kubectl delete -f ${shown(collectFile)}`,
      `npm run merge -- ${local}/shard-*/${scenario.name}/2*/ --out ${local}/merged`,
    ].join('\n')}\n`,
  );
  return ExitCode.Ok;
}
