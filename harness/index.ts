/**
 * The harness as a library: every public function, class and type, named one by one. The CLI
 * (harness/cli/) is built on these; a program can use them to validate scenarios, run them,
 * predict queue time and gate on the results without the command line. Exports are sorted by
 * the layer they come from (errors, compare, gate, load, model, report, results, run, scenario, supervise).
 */

export type { ChangeThreshold, ThresholdCheck } from './compare/change-threshold.js';
export { checkChanges, parseChangeThreshold } from './compare/change-threshold.js';
export type { CompareRow, Comparison } from './compare/compare-runs.js';
export { COMPARE_FIGURES, compareRuns } from './compare/compare-runs.js';
export {
  renderComparisonMarkdown,
  renderComparisonText,
} from './compare/render-comparison.js';
export type { InputIssue } from './errors.js';
export {
  AppLoadError,
  AppPathNotFoundError,
  DependencyMissingError,
  describeError,
  ERROR_CLASSES,
  HarnessError,
  ManifestInvalidError,
  MergeInvalidError,
  NoSuccessError,
  OptionError,
  PortInUseError,
  PythonNotFoundError,
  printable,
  ReportsDirError,
  ResultsWriteError,
  RunAbortedError,
  RunTimeoutError,
  ScenarioInvalidError,
  ScenarioNotFoundError,
  ScenarioSyntaxError,
  ServerBootError,
  ShardMismatchError,
  ShardsMissingError,
  StartLateError,
  TargetCrashedError,
  TargetNotReadyError,
  TargetStartError,
} from './errors.js';
export { ExitCode } from './exit-codes.js';
export { evaluateThresholds } from './gate/evaluate.js';
export { runGate } from './gate/run-gate.js';
export { parseThreshold, parseThresholdOption } from './gate/threshold.js';
export type { K8sObject, K8sRunSpec } from './k8s/manifests.js';
export {
  buildManifests,
  defaultJobName,
  isDnsLabel,
  MOUNTS,
  RUN_LABEL,
} from './k8s/manifests.js';
export { validateManifests } from './k8s/validate-manifests.js';
export { checkDestination } from './load/destination.js';
export type { ErrorKind } from './load/error-kind.js';
export { classifyError, classifyStatus, ERROR_KINDS } from './load/error-kind.js';
export type { ExecutorDefinition } from './load/executors/definition.js';
export { EXECUTOR_REGISTRY, executorOf } from './load/executors/registry.js';
export type { RawRequest } from './load/raw-request.js';
export { HISTOGRAMS, Recorder } from './load/recorder.js';
export type { LoadContext, LoadResult, LoadTask } from './load/run-load.js';
export { runLoad } from './load/threads.js';
export type { MergedRun, ShardInput } from './merge/merge-shards.js';
export { mergeShards } from './merge/merge-shards.js';
export type { ShardsRead } from './merge/read-shards.js';
export { readShards } from './merge/read-shards.js';
export type { MergeOptions, MergeResult } from './merge/run-merge.js';
export { runMerge } from './merge/run-merge.js';
export { allenCunneenMeanWait } from './model/allen-cunneen.js';
export type { ArrivalPlan, RateStage } from './model/arrivals.js';
export { arrivalInstants, arrivalSource, expectedRequests } from './model/arrivals.js';
export { backOfEnvelope, roundRobinBurstWaits, sharedQueueBurst } from './model/burst.js';
export { cosmetatosMeanWait } from './model/cosmetatos.js';
export { erlangB, erlangC, mmc, mmcWaitExceeds, mmcWaitQuantile } from './model/erlang-c.js';
export type { FanoutPrediction } from './model/fanout.js';
export { predictFanout, shareGivenSpread } from './model/fanout.js';
export { parseGoal } from './model/goal.js';
export { searchGoal } from './model/goal-search.js';
export { checkInteractiveLaw } from './model/interactive-law.js';
export type { JobsModelInput, JobsPrediction, TakeoverPrediction } from './model/jobs.js';
export { predictJobs, predictTakeover } from './model/jobs.js';
export { checkLittlesLaw, littlesLawFromRecords } from './model/littles-law.js';
export type { PlannedTopology, PlannerRace } from './model/planner-input.js';
export { plannerQuestions } from './model/planner-input.js';
export type { Prediction } from './model/predict.js';
export { predictBurst } from './model/predict.js';
export type { LoadPrediction } from './model/predict-load.js';
export { predictLoad } from './model/predict-load.js';
export type { RaceObservation, RaceParameters } from './model/race-mechanism.js';
export { fitRace, modelAnswer } from './model/race-mechanism.js';
export { createRandom } from './model/random.js';
export { parseServiceSpec } from './model/service-syntax.js';
export type { ServiceDistribution } from './model/service-time.js';
export { distributionOf, sampleServiceTimes } from './model/service-time.js';
export type { ModelTopology, RaceMechanism, SimulationResult } from './model/simulate.js';
export { simulate } from './model/simulate.js';
export { fitUsl, uslPeak, uslThroughput } from './model/usl.js';
export type { WhatIfInput, WhatIfResult } from './model/what-if.js';
export { whatIf } from './model/what-if.js';
export type { StreamEvent, StreamItem } from './observe/event-stream.js';
export { EventStreamParser } from './observe/event-stream.js';
export type { EventStreamClient } from './observe/sse-client.js';
export { openEventStream } from './observe/sse-client.js';
export { fanoutStory, jobsStory } from './report/observed-text.js';
export { renderTable } from './report/table.js';
export { writeReport } from './report/write-report.js';
export type { DeliveryRecord, FanoutFigures } from './results/fanout-figures.js';
export { fanoutFigures } from './results/fanout-figures.js';
export type { JobRecord, JobsFigures } from './results/jobs-figures.js';
export { jobsFigures } from './results/jobs-figures.js';
export type { LoadFigures } from './results/load-figures.js';
export type { RequestRecord } from './results/request-record.js';
export type {
  MergeBlock,
  MergedShard,
  ShardBlock,
  ShardState,
  ShardStateFile,
  TargetClock,
} from './results/shard-state.js';
export { targetClockOf } from './results/shard-state.js';
export type { RunSummary, TopologySummary } from './results/summary.js';
export type { PlanContext, RunPlan, TopologyPlan } from './run/plan.js';
export { planRun } from './run/plan.js';
export type { RunOptions, RunResult } from './run/run-scenario.js';
export { runScenario } from './run/run-scenario.js';
export type { ShardInputs, ShardParse, ShardResolution, ShardSpec } from './run/shard.js';
export {
  canonicalJson,
  composeShare,
  MAX_SHARDS,
  parseShard,
  planHash,
  resolveShard,
  shardIndices,
  shardProblems,
  shardTakes,
} from './run/shard.js';
export { lateStartError, ShardStart } from './run/shard-start.js';
export type { StartAtParse, StartCheck } from './run/start-at.js';
export {
  checkStart,
  MAX_START_AHEAD_MS,
  monotonicAt,
  parseStartAt,
  START_TOLERANCE_MS,
} from './run/start-at.js';
export { Clock } from './scenario/clock.js';
export { describeLoad } from './scenario/describe-load.js';
export { formatSeconds, parseDuration } from './scenario/duration.js';
export { jsonErrorOffset } from './scenario/json-position.js';
export { scenarioJsonSchema } from './scenario/json-schema.js';
export { listScenarios, loadScenario, parseJson } from './scenario/load.js';
export type { ScenarioOverrides } from './scenario/overrides.js';
export type {
  FanoutSpec,
  JobsSpec,
  LoadSpec,
  RequestSpec,
  Scenario,
  SchedulerSpec,
  ServiceSpec,
  TopologySpec,
} from './scenario/types.js';
export { validateScenario } from './scenario/validate.js';
export { checkOwnApps } from './supervise/own-app-check.js';
export { startRedis } from './supervise/start-redis.js';
export { startTargets } from './supervise/start-targets.js';
export { startTopology } from './supervise/start-topology.js';
export { Supervisor } from './supervise/supervisor.js';
