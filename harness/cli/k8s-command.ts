import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ExitCode } from '../exit-codes.js';
import { formatSeconds } from '../scenario/duration.js';
import type { CliIo } from './io.js';
import { collect, durationOption, wholeNumber } from './options.js';

export interface K8sOptions {
  shards: number;
  image: string;
  url: string;
  allowRemote?: string[];
  only?: string[];
  seed?: number;
  startAt?: Date;
  startDelay: number;
  namespace: string;
  name?: string;
  storage: string;
  storageClass?: string;
  deadline: number;
  out?: string;
}

/** Defaults of `k8s`, merged once by commander. */
export const K8S_DEFAULTS = {
  startDelay: 90,
  namespace: 'default',
  storage: '1Gi',
  deadline: 1800,
} as const;

/** The most shards one Job runs: parallelism beyond this is a cluster's job, not a test's. */
export const MAX_SHARDS = 1000;

/**
 * `--start-at`: an ISO 8601 instant with its zone (`2026-12-02T22:30:00Z`, `...+01:00`) or
 * milliseconds since the epoch. A time without a zone would mean each pod's own zone: refused.
 */
export function startAtOption(value: string): Date {
  const text = value.trim();
  const ms = /^\d{10,16}$/.test(text)
    ? Number(text)
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(text)
      ? Date.parse(text)
      : Number.NaN;
  if (!Number.isFinite(ms))
    throw new InvalidArgumentError(
      `expected an ISO 8601 instant with its zone (2026-12-02T22:30:00Z) or epoch milliseconds, got "${value}"`,
    );
  return new Date(ms);
}

/** A Kubernetes resource quantity for storage, such as 1Gi or 500Mi. */
function quantityOption(value: string): string {
  if (!/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.test(value))
    throw new InvalidArgumentError(
      `expected a storage quantity such as 1Gi or 500Mi, got "${value}"`,
    );
  return value;
}

/**
 * `--image`: a container image reference as Docker and Kubernetes read it,
 * `[host[:port]/]path[:tag][@sha256:digest]`, the path in lower case.
 */
export function imageOption(value: string): string {
  const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
  const host = '[a-zA-Z0-9]+(?:[.-][a-zA-Z0-9]+)*(?::[0-9]+)?';
  const pattern = new RegExp(
    `^(?:${host}/)?${component}(?:/${component})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
  );
  if (!pattern.test(value))
    throw new InvalidArgumentError(
      `expected an image reference such as registry.example.com/capacity-harness:0.1.0, got "${value}"`,
    );
  return value;
}

/**
 * `k8s <scenario>`: the manifests of a sharded run on Kubernetes (an Indexed Job of N shards,
 * the scenario as a ConfigMap, a claim for the results, a collector pod), validated against
 * Kubernetes' schema. What it runs is in k8s-run.ts, loaded only when it runs.
 */
export function registerK8sCommand(
  program: Command,
  io: CliIo,
  setExit: (code: ExitCode) => void,
): void {
  program
    .command('k8s')
    .description('write the Kubernetes manifests that run a scenario as N shards of one plan')
    .argument(
      '<scenario>',
      'a built-in scenario name (see scenarios/) or a path to a scenario .json file',
    )
    .requiredOption(
      '--shards <n>',
      `shards of the plan: the Indexed Job's completions and parallelism (1 to ${MAX_SHARDS})`,
      wholeNumber(1, MAX_SHARDS),
    )
    .requiredOption(
      '--image <image>',
      "the harness's container image, built from the Dockerfile (e.g. registry.example.com/capacity-harness:0.1.0)",
      imageOption,
    )
    .requiredOption(
      '--url <url>',
      'the server every shard loads, the deployment under test (one topology: use --only)',
    )
    .option(
      '--allow-remote <host>',
      "let the shards load this host, which is not loopback (repeatable); --url's host needs it",
      collect,
    )
    .option('--only <topology>', 'run only this topology (repeatable)', collect)
    .option(
      '--seed <n>',
      'seed of the model simulation, the same in every shard',
      wholeNumber(0, 2 ** 32 - 1),
    )
    .addOption(
      new Option(
        '--start-at <instant>',
        'the shared start: ISO 8601 with its zone or epoch ms (instead of --start-delay)',
      )
        .argParser(startAtOption)
        .conflicts('startDelay'),
    )
    .addOption(
      new Option(
        '--start-delay <duration>',
        'the shared start is this long after the manifests are written: apply them at once',
      )
        .argParser(durationOption)
        .default(K8S_DEFAULTS.startDelay, formatSeconds(K8S_DEFAULTS.startDelay)),
    )
    .addOption(
      new Option('--namespace <ns>', 'the namespace of every object').default(
        K8S_DEFAULTS.namespace,
      ),
    )
    .option(
      '--name <job>',
      "the Job's name, prefix of the other objects' (default: harness-<scenario>-<start>)",
    )
    .addOption(
      new Option('--storage <quantity>', "the results claim's size")
        .argParser(quantityOption)
        .default(K8S_DEFAULTS.storage),
    )
    .option(
      '--storage-class <class>',
      'the storage class of the results claim, one that offers ReadWriteMany (default: the cluster default)',
    )
    .addOption(
      new Option(
        '--deadline <duration>',
        'the Job is stopped this long after the shared start (activeDeadlineSeconds)',
      )
        .argParser(durationOption)
        .default(K8S_DEFAULTS.deadline, formatSeconds(K8S_DEFAULTS.deadline)),
    )
    .option('--out <dir>', 'where the manifests are written (default: reports/k8s/<job>/)')
    .addHelpText(
      'after',
      `
Writes <out>/job.yaml (ConfigMap with the scenario, a ReadWriteMany PersistentVolumeClaim for
the results, the Indexed Job: pod i runs shard i of N with JOB_COMPLETION_INDEX and the shared
--start-at) and <out>/collect.yaml (a pod that mounts the claim for kubectl cp), each object
validated against Kubernetes' schema; then prints the kubectl commands from apply to the merged
report. The image is built from the Dockerfile at the top of the harness (README: "Beyond one
machine").

Exit codes: 0 written, 1 internal error (a bug), 103 the files could not be written, 104 invalid
input (a scenario, an option, a URL to a host not allowed, a manifest Kubernetes' schema refuses).`,
    )
    .action(async (ref: string, options: K8sOptions) => {
      const { k8sCommand } = await import('./k8s-run.js');
      setExit(await k8sCommand(ref, options, io));
    });
}
