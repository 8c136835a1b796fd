import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Test support: compiles a chart spec to Vega as the browser will and returns Vega-Lite's
 * errors and warnings, so that a test can require none.
 */
export function compileStrict(spec: TopLevelSpec): string[] {
  const messages: string[] = [];
  const logger = {
    level() {
      return this;
    },
    error: (...args: unknown[]) => messages.push(`error: ${args.join(' ')}`),
    warn: (...args: unknown[]) => messages.push(`warn: ${args.join(' ')}`),
    info: () => {},
    debug: () => {},
  };
  compile(spec, { logger: logger as never });
  return messages;
}
