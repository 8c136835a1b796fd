/**
 * Escaping for the HTML report. Every string that comes from a scenario file or a run (names,
 * descriptions, error messages) reaches the page through one of these, so that markup or script
 * in a name is shown as text and never runs.
 */

const HTML: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** For text nodes and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML[c] as string);
}

/**
 * JSON to embed in a <script> element: `<`, `>` and `&` become \u escapes so that neither
 * `</script>` nor `<!--` can end or change the element, and U+2028/U+2029 are escaped because
 * older JavaScript parsers treat them as line ends inside strings.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Code of our own to inline in a <script> element (the Vega builds). The source map comment is
 * dropped (there is no map beside the page), and code that could end the element is refused:
 * the builds are checked, not rewritten.
 */
export function inlineScriptCode(code: string, name: string): string {
  const stripped = code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  if (/<\/script|<!--/i.test(stripped)) {
    throw new Error(`${name} contains "</script" or "<!--" and cannot be inlined as it is`);
  }
  return stripped;
}
