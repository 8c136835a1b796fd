import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, inlineScriptCode, jsonForScript } from './escape.js';

const hostile = '</script><script>alert(1)</script><!-- & "quoted" \'single\' \u2028\u2029';

test('HTML escaping leaves no markup', () => {
  const escaped = escapeHtml(hostile);
  assert.doesNotMatch(escaped, /[<>"']/);
  assert.equal(escapeHtml('a & b'), 'a &amp; b');
});

test('JSON in a script element cannot end it and parses back unchanged', () => {
  const value = { name: hostile, nested: [hostile, 1, null] };
  const text = jsonForScript(value);
  assert.doesNotMatch(text, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(text), value);
});

test('inlined code loses its source map comment and may not close its element', () => {
  assert.equal(inlineScriptCode('var a=1;\n//# sourceMappingURL=a.js.map\n', 'a'), 'var a=1;\n');
  assert.throws(() => inlineScriptCode('var s="</script>";', 'bad'), /bad contains/);
  assert.throws(() => inlineScriptCode('var s="<!--";', 'bad'), /bad contains/);
});
