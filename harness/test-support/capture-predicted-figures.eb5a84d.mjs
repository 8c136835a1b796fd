// Captures the predicted figures runScenario computes for a scenario (eb5a84d code paths).
// Run from the repository root after `npx tsc -p tsconfig.json` at commit eb5a84d:
//   node harness/test-support/capture-predicted-figures.eb5a84d.mjs > harness/test-support/predicted-figures.eb5a84d.json
const D = new URL('../../dist/harness', import.meta.url).href;
const { loadScenario } = await import(`${D}/scenario/load.js`);
const { acceptRaceChoice } = await import(`${D}/calibrate/calibration.js`);
const { backOfEnvelope } = await import(`${D}/model/burst.js`);
const { predictLoad } = await import(`${D}/model/predict-load.js`);
const { createRandom, deriveSeed, STREAM } = await import(`${D}/model/random.js`);
const { acceptRaceServerOf, deploymentOf } = await import(`${D}/model/server-kinds.js`);
const { distributionOf, sampleServiceTimes, serviceMean } = await import(
  `${D}/model/service-time.js`
);
const { lifecycleParts } = await import(`${D}/results/lifecycle-summary.js`);
const { toPredictedRecords } = await import(`${D}/results/predicted-record.js`);
const { summarizeTopology } = await import(`${D}/results/summary.js`);
const { plannedRequests } = await import(`${D}/scenario/load-schema.js`);
const { concurrencyOf } = await import(`${D}/scenario/types.js`);
const { predictedArrivals } = await import(`${D}/run/load-step.js`);
const { serviceTableSize } = await import(`${D}/run/load-task.js`);
const { withEmulatedTwins } = await import(`${D}/run/twins.js`);
const CORES = 2;
const { createHash } = await import('node:crypto');
const digest = (v) => createHash('sha256').update(JSON.stringify(v)).digest('hex');
const out = {};
for (const name of ['contest-200', 'steady-poisson', 'max-requests']) {
  const scenario = await loadScenario(name);
  const distribution = distributionOf(scenario.service);
  const serviceTimes = sampleServiceTimes(
    distribution,
    serviceTableSize(scenario.load),
    createRandom(deriveSeed(scenario.model.seed, STREAM.service)),
  );
  const calibration = { state: 'absent', file: 'calibration.json' };
  const machine = { hostname: '', platform: 'linux', cpus: CORES, cpuModel: 'x', node: 'v20' };
  const topologies = [];
  for (const topology of withEmulatedTwins(
    scenario.topologies,
    scenario.compareEmulated === true,
  )) {
    const acceptRace = acceptRaceChoice(
      acceptRaceServerOf(topology.kind),
      topology.replicas,
      calibration,
      machine,
      topology.balancerServer === 'haproxy',
    );
    const modelRuns = [];
    const prediction = predictLoad({
      topology: deploymentOf(topology, {
        users: plannedRequests(scenario.load) ?? 10_000,
        work: scenario.service.work,
      }),
      stickiness: acceptRace.stickiness,
      load: scenario.load,
      distribution,
      serviceTimes,
      work: scenario.service.work,
      cores: CORES,
      seed: scenario.model.seed,
      replications: scenario.model.replications,
      requestTimeout: scenario.limits.requestTimeout,
      ...(topology.lifecycle === undefined
        ? {}
        : { eachRun: (result, arrivals) => modelRuns.push({ result, arrivals }) }),
    });
    const summary = summarizeTopology({
      topology,
      records: [],
      dispatchSpreadMs: null,
      prediction: prediction.waits,
      expected: prediction.expected,
      load: null,
      backOfEnvelope:
        scenario.load.executor === 'burst'
          ? backOfEnvelope(
              scenario.load.users,
              topology.claimedConcurrency ?? concurrencyOf(topology),
              serviceMean(distribution),
            )
          : Number.NaN,
      status: 'complete',
      failure: null,
      bursts: 1,
      acceptRace,
    });
    const arrivals = predictedArrivals(scenario);
    const predicted =
      prediction.waits === null
        ? []
        : toPredictedRecords(topology.name, prediction.waits.sample, arrivals);
    // The predicted requests stand in for measured ones, so that the lifecycle parts compute.
    const records = predicted.map((r) => ({ ...r, complete: r.handlerEnd, error: null }));
    const lifecycle = lifecycleParts({
      topology,
      records,
      prediction,
      arrivals,
      events: [],
      requestTimeout: scenario.limits.requestTimeout,
      runs: modelRuns,
      ...(scenario.load.executor === 'constant-arrival-rate'
        ? {
            longRun: {
              rate: scenario.load.rate,
              process: scenario.load.arrivals === 'poisson' ? 'poisson' : 'constant',
              distribution,
              cores: CORES,
              seed: scenario.model.seed,
              horizon: 4 * 3600,
              runs: 3,
            },
          }
        : {}),
    });
    topologies.push({
      name: topology.name,
      predicted: summary.predicted,
      backOfEnvelope: summary.backOfEnvelope,
      throughput: prediction.throughput,
      minResponse: prediction.minResponse,
      throughputMethod: prediction.throughputMethod,
      predictedRecords: { count: predicted.length, sha256: digest(predicted) },
      workerLife: lifecycle.workerLife?.predicted ?? null,
      handlersAtOnce: lifecycle.handlersAtOnce ?? null,
      overTime: lifecycle.overTime === undefined ? null : digest(lifecycle.overTime.predicted),
    });
  }
  out[name] = { seed: scenario.model.seed, cores: CORES, topologies };
}
process.stdout.write(`${JSON.stringify(out)}\n`);
