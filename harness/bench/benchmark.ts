/**
 * What every benchmark of `npm run bench` provides. A benchmark is a script that measures and
 * prints figures, never a test: timings on a shared machine are noisy, so nothing here fails on
 * a number. To add one, write a file in harness/bench/ exporting a Benchmark and list it in
 * main.ts. File names avoid "test" so that node --test does not run them.
 */
export interface BenchFigure {
  /** What was measured, e.g. "sync 4 x 3, Poisson ρ 0.9". */
  case: string;
  /** The figure's name, e.g. "requests per second". */
  name: string;
  value: number;
  unit: string;
  /** A target the figure is compared with, if the issue set one. */
  goal?: { op: '>=' | '<='; value: number };
}

export interface Benchmark {
  name: string;
  description: string;
  /** Runs the benchmark; `log` prints a progress or result line as it goes. */
  run(log: (line: string) => void): Promise<BenchFigure[]> | BenchFigure[];
}

/** Whether a figure meets its goal; undefined when it has none. */
export function meetsGoal(figure: BenchFigure): boolean | undefined {
  if (figure.goal === undefined) return undefined;
  return figure.goal.op === '>='
    ? figure.value >= figure.goal.value
    : figure.value <= figure.goal.value;
}
