import assert from 'node:assert/strict';
import { test } from 'node:test';
import { html, rawHtml, scriptJson } from './html.js';

test('html escapes every value that is not Html, in text and in quoted attributes', () => {
  const name = `<script>alert("x")</script>' onmouseover='y`;
  assert.equal(
    String(html`<td title="${name}">${name}</td>`),
    '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;y">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;y</td>',
  );
});

test('html nests, joins arrays, prints numbers and leaves out null, undefined and false', () => {
  const items = ['a&b', 'c'];
  assert.equal(
    String(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>${null}${undefined}${false}${0}`),
    '<ul><li>a&amp;b</li><li>c</li></ul>0',
  );
});

test('only rawHtml and scriptJson pass markup through, and scriptJson cannot end its element', () => {
  assert.equal(String(html`${rawHtml('<b>ours</b>')}`), '<b>ours</b>');
  assert.equal(
    String(html`<script type="application/json">${scriptJson({ x: '</script><!--' })}</script>`),
    '<script type="application/json">{"x":"\\u003c/script\\u003e\\u003c!--"}</script>',
  );
});
