import { html } from './html.js';

/**
 * The pieces the terminal tables and the report's judged tables share: fixed-width columns,
 * and a figure marked ok / OUT against its bound. Pure.
 */

/** `text` padded to `width`, or followed by one space when it is as wide or wider. */
export function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text + ' '.repeat(width - text.length);
}

/** A line of cells at the given widths (10 past the last), trailing spaces trimmed. */
export function columns(widths: readonly number[], indent = ''): (cells: string[]) => string {
  return (cells) =>
    `${indent}${cells
      .map((c, i) => pad(c, widths[i] ?? 10))
      .join('')
      .trimEnd()}`;
}

/** " ok" or " OUT" after a judged figure; nothing where there is no judgement. */
export const mark = (within: boolean | null): string =>
  within === null ? '' : within ? ' ok' : ' OUT';

/** A report table cell coloured by its judgement (class ok or bad), plain where there is none. */
export const judgedCell = (within: boolean | null, text: string) =>
  within === null
    ? html`<td>${text}</td>`
    : html`<td class="${within ? 'ok' : 'bad'}">${text}</td>`;

/**
 * A fraction as a signed percentage, "+1.6%" or "-42%": one decimal, or none from 10% up when
 * `adaptive`. A value that rounds to zero prints "+0.0%", never "-0.0%". "n/a" when not finite.
 */
export function signedPercent(fraction: number, adaptive = false): string {
  if (!Number.isFinite(fraction)) return 'n/a';
  const p = fraction * 100;
  const digits = adaptive && Math.abs(p) >= 10 ? 0 : 1;
  const rounded = Number(p.toFixed(digits));
  return `${rounded < 0 ? '-' : '+'}${Math.abs(rounded).toFixed(digits)}%`;
}
