/**
 * The one-line progress display of a run, redrawn in place on a terminal and silent otherwise
 * (CI logs, pipes), so that logs hold only the final table.
 */
export interface Progress {
  stage(text: string): void;
  requests(settled: number, total: number): void;
  done(): void;
}

interface Terminal {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export function createProgress(out: Terminal, enabled = out.isTTY === true): Progress {
  if (!enabled) return { stage() {}, requests() {}, done() {} };
  let stage = '';
  let last = 0;
  const draw = (text: string): void => {
    const width = Math.max(20, (out.columns ?? 80) - 1);
    out.write(`\r\x1b[2K${text.slice(0, width)}`);
  };
  return {
    stage(text) {
      stage = text;
      draw(stage);
    },
    requests(settled, total) {
      const now = performance.now();
      // At most 20 redraws a second, and always the last one.
      if (settled !== total && now - last < 50) return;
      last = now;
      draw(`${stage}: ${settled}/${total} requests done`);
    },
    done() {
      out.write('\r\x1b[2K');
    },
  };
}
