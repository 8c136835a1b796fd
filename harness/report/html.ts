import { escapeHtml, jsonForScript } from './escape.js';

/**
 * HTML built so that escaping is structural, not remembered (issue 17): the `html` tagged
 * template escapes every value put into it, unless the value is itself Html, made by `html`,
 * `rawHtml` (markup of our own, such as the inlined Vega builds) or `scriptJson`. A string from a
 * scenario or a run can therefore reach the page only as text:
 *
 *   html`<td>${name}</td>`              name escaped
 *   html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`   arrays joined, each item as above
 *   html`<td>${count}</td>`             numbers as text; null, undefined and false as nothing
 *
 * Values inside attributes must be quoted in the template (`href="${url}"`): escaping turns `"`
 * and `'` into entities, so a value cannot leave its quotes. Pure.
 */
export class Html {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++)
    out += render(values[i] as HtmlValue) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Markup of the harness's own, trusted as it is: never a string from a scenario or a run. */
export function rawHtml(markup: string): Html {
  return new Html(markup);
}

/** A value as JSON inside a <script type="application/json"> element (see jsonForScript). */
export function scriptJson(value: unknown): Html {
  return new Html(jsonForScript(value));
}
