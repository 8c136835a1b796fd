/**
 * The command line of `npm run bench`, checked whole: every name must be a benchmark and every
 * flag one of FLAGS, or nothing runs (a typo such as `--jsn` used to run every benchmark; issue
 * 17). Pure.
 */

export const BENCH_FLAGS = ['--json', '--help', '-h', '--version', '-V'] as const;

export type BenchArgs =
  | { action: 'run'; names: string[]; json: boolean }
  | { action: 'help' }
  | { action: 'version' }
  | { action: 'refuse'; problems: string[] };

export function parseBenchArgs(args: readonly string[], benchmarks: readonly string[]): BenchArgs {
  const problems: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('-')) {
      if (!(BENCH_FLAGS as readonly string[]).includes(arg))
        problems.push(`unknown option ${arg}; options: --json, --help, --version`);
    } else if (!benchmarks.includes(arg)) {
      problems.push(`unknown benchmark ${arg}; benchmarks: ${benchmarks.join(', ')}`);
    }
  }
  if (problems.length > 0) return { action: 'refuse', problems };
  if (args.includes('--help') || args.includes('-h')) return { action: 'help' };
  if (args.includes('--version') || args.includes('-V')) return { action: 'version' };
  return {
    action: 'run',
    names: args.filter((a) => !a.startsWith('-')),
    json: args.includes('--json'),
  };
}
