import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, html } from './html.js';

describe('html template', () => {
  it('escapes every interpolation, in text and in attributes', () => {
    const hostile = `<script>alert('x')</script>" onmouseover="x" & more`;
    assert.equal(
      html`<p title="${hostile}">${hostile}</p>`.text,
      '<p title="&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot; onmouseover=&quot;x&quot; &amp; more">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot; onmouseover=&quot;x&quot; &amp; more</p>',
    );
  });

  it('keeps nested templates, joins arrays, drops null, undefined and false', () => {
    const items = ['a<b', 'c&d'].map((x) => html`<li>${x}</li>`);
    assert.equal(
      html`<ul>${items}</ul>${null}${undefined}${false}${0}`.text,
      '<ul><li>a&lt;b</li><li>c&amp;d</li></ul>0',
    );
  });

  it('drops the control characters XML 1.0 forbids, keeping tab and newlines', () => {
    assert.equal(escapeHtml('a\u0000b\u0008c\td\ne\rf\u001Fg'), 'abc\td\ne\rfg');
  });

  it('a string is never trusted as markup, even one that looks already escaped', () => {
    assert.equal(html`${'&lt;'}`.text, '&amp;lt;');
  });
});
