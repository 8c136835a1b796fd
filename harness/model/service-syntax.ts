import { formatSeconds, parseDuration } from '../scenario/duration.js';
import { type ServiceDistribution, serviceMean } from './service-time.js';

/**
 * The compact service-time syntax of `npm run model -- --service <spec>`:
 *
 *   spec      := duration                          constant, e.g. "2s", "150ms", "0.5"
 *              | "const:" duration                 constant, spelled out
 *              | "exp:" duration                   exponential with that mean
 *              | "lognormal:" duration ":cv=" num  lognormal with that mean and coefficient of variation
 *              | "empirical:" duration ("," duration)*   draw uniformly from these values
 *   duration  := as in scenario files: a number of seconds or a number with us|ms|s|m|min|h
 *
 * Long names are accepted for the kinds: "constant", "exponential", "lognorm". Returns the
 * distribution, or a message saying what is wrong.
 */
export function parseServiceSpec(
  text: string,
): { ok: true; service: ServiceDistribution } | { ok: false; message: string } {
  const spec = text.trim();
  const colon = spec.indexOf(':');
  const kind = colon === -1 ? 'const' : spec.slice(0, colon).trim().toLowerCase();
  const rest = colon === -1 ? spec : spec.slice(colon + 1);
  const duration = (value: string): number | undefined => {
    const seconds = parseDuration(/^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value);
    return seconds;
  };
  const bad = (why: string) => ({ ok: false as const, message: `"${text}": ${why}` });
  switch (kind) {
    case 'const':
    case 'constant':
    case 'exp':
    case 'exponential': {
      const mean = duration(rest);
      if (mean === undefined) return bad(`"${rest}" is not a duration such as 2s or 150ms`);
      if (mean <= 0) return bad('the service time must be above 0');
      return {
        ok: true,
        service: kind.startsWith('exp')
          ? { kind: 'exponential', mean }
          : { kind: 'constant', mean },
      };
    }
    case 'lognormal':
    case 'lognorm': {
      const match = /^(.*):\s*cv\s*=\s*([0-9.]+)\s*$/.exec(rest);
      if (match === null)
        return bad('write lognormal:<mean>:cv=<number>, e.g. lognormal:2s:cv=1.5');
      const mean = duration(match[1] as string);
      const cv = Number(match[2]);
      if (mean === undefined || mean <= 0) return bad(`"${match[1]}" is not a duration above 0`);
      if (!Number.isFinite(cv) || cv < 0 || cv > 100) return bad('cv must be from 0 to 100');
      return { ok: true, service: { kind: 'lognormal', mean, cv } };
    }
    case 'empirical': {
      const values = rest.split(',').map((v) => duration(v));
      if (values.length === 0 || values.some((v) => v === undefined))
        return bad('write empirical:<duration>,<duration>,..., e.g. empirical:1s,1.5s,4s');
      const samples = values as number[];
      if (samples.every((v) => v === 0)) return bad('at least one value must be above 0');
      return { ok: true, service: { kind: 'empirical', samples } };
    }
    default:
      return bad(`unknown distribution "${kind}"; use const, exp, lognormal or empirical`);
  }
}

/** A distribution in words, for output: "exponential, mean 2s". */
export function describeService(d: ServiceDistribution): string {
  switch (d.kind) {
    case 'constant':
      return `constant ${formatSeconds(d.mean)}`;
    case 'exponential':
      return `exponential, mean ${formatSeconds(d.mean)}`;
    case 'lognormal':
      return `lognormal, mean ${formatSeconds(d.mean)}, cv ${d.cv}`;
    case 'empirical':
      return `empirical, ${d.samples.length} value${d.samples.length === 1 ? '' : 's'}, mean ${formatSeconds(serviceMean(d))}`;
  }
}
