import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeMarkup } from '../../src/core/markup.js';

test('escapeMarkup escapes the five markup characters, & first so entities are not doubled', () => {
  assert.equal(
    escapeMarkup(`<a href="x">Tom's & Jerry's</a>`),
    '&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; Jerry&#39;s&lt;/a&gt;',
  );
  assert.equal(escapeMarkup("it's", '&apos;'), 'it&apos;s');
  assert.equal(escapeMarkup('&lt;'), '&amp;lt;');
  assert.equal(escapeMarkup('plain text'), 'plain text');
});
