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
