import type { RaceMechanism } from '../model/simulate.js';
import type { AcceptRaceChoice } from './calibration.js';
import type { RaceFitState } from './race-fit-file.js';

/**
 * The accept race a topology's model runs, one rule for `npm run model` and scenario runs alike:
 * the race as a mechanism (harness/model/race-mechanism.ts) where a fit exists for the server on
 * this machine (reports/race-mechanism.json) or on a machine like it (the shipped fit), else the
 * one-number stickiness `choice` already holds (acceptRaceChoice). Pure: the fit is read by the
 * caller. The stickiness stays in the answer, for what still takes one number (the report's
 * what-if curve).
 *
 * `timeScale`: real seconds per model second, as the mechanism's delays are real seconds.
 */
export function withRaceMechanism(
  choice: AcceptRaceChoice,
  replicas: number,
  fit: RaceFitState | undefined,
  timeScale: number,
): AcceptRaceChoice {
  if (choice.server === null || fit === undefined || fit.state === 'none') return choice;
  const server = fit.fit.servers[choice.server];
  if (server === undefined) return choice;
  const where =
    fit.state === 'own'
      ? `on this machine (${fit.fit.measuredAt.slice(0, 10)})`
      : `on a machine like this one (${fit.fit.machine.cpus} x ${fit.fit.machine.cpuModel}; ${fit.fit.measuredAt.slice(0, 10)}), the fit shipped with the harness`;
  const ms = (s: number): string => `${Number((s * 1e3).toPrecision(3))} ms`;
  const mechanism: RaceMechanism = {
    returnTime: server.returnTime,
    wakeTime: server.wakeTime,
    spacing: server.spacing,
    timeScale,
  };
  return {
    ...choice,
    source: 'calibration',
    mechanism,
    note: `accept race as a mechanism fitted for ${choice.server} ${where} on ${server.fittedOn.length} configurations: an awake worker is back at accept after ${ms(server.returnTime)}, a sleeping one wakes after ${ms(server.wakeTime)}, the client opens a burst's connections ${ms(server.spacing)} apart${replicas > 1 ? `, ${replicas} replicas apart at each replica` : ''}`,
  };
}
