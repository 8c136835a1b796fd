/**
 * What `scenario` needs to run, loaded only when it runs: the load generator, the model, the
 * supervisor and the report weigh most of a second to load, which `--help`, `--version` and an
 * option error should not pay (issue 17).
 */
export async function loadRunModules() {
  const [
    calibrationFile,
    runGate,
    gateMarkdown,
    gateText,
    progress,
    table,
    atomicWrite,
    runDir,
    run,
    load,
    supervisor,
    environment,
    gateOptions,
    targetsOptions,
  ] = await Promise.all([
    import('../calibrate/calibration-file.js'),
    import('../gate/run-gate.js'),
    import('../gate/markdown.js'),
    import('../gate/text.js'),
    import('../report/progress.js'),
    import('../report/table.js'),
    import('../results/atomic-write.js'),
    import('../results/run-dir.js'),
    import('../run/run-scenario.js'),
    import('../scenario/load.js'),
    import('../supervise/supervisor.js'),
    import('./environment.js'),
    import('./gate-options.js'),
    import('./targets-options.js'),
  ]);
  return {
    readRunCalibration: calibrationFile.readRunCalibration,
    readRaceFit: calibrationFile.readRaceFit,
    hasGate: runGate.hasGate,
    renderGateMarkdown: gateMarkdown.renderGateMarkdown,
    renderGate: gateText.renderGate,
    createProgress: progress.createProgress,
    renderTable: table.renderTable,
    removeTemporaryFilesSync: atomicWrite.removeTemporaryFilesSync,
    ensureReportsDir: runDir.ensureReportsDir,
    runScenario: run.runScenario,
    loadScenario: load.loadScenario,
    Supervisor: supervisor.Supervisor,
    describeEnvironment: environment.describeEnvironment,
    describeMachine: environment.describeMachine,
    loadBaseline: gateOptions.loadBaseline,
    checkTargets: targetsOptions.checkTargets,
  };
}
