// biome-ignore-all lint/suspicious/noTemplateCurlyInString: masked values are shown as the plan's ${VAR} references.
/** The masker: URL parts, secret values in every encoded form, short values, and deep JSON. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMasker, encodedForms, MASK, maskerFor, maskUrls } from './mask.js';

test('a URL keeps scheme, host, port and path; loses its password, a lone user name and every query value', () => {
  assert.equal(
    maskUrls('https://user:hunter2@api.example:8443/v1/health?k=abc&page=2&empty=&flag#top'),
    'https://user:***@api.example:8443/v1/health?k=***&page=***&empty=&***#top',
  );
  assert.equal(maskUrls('https://ghp_token123@github.com/org/repo'), 'https://***@github.com/org/repo');
  assert.equal(
    maskUrls('mongodb+srv://app:pw@cluster0.example/db?retryWrites=true'),
    'mongodb+srv://app:***@cluster0.example/db?retryWrites=***',
  );
  assert.equal(maskUrls('https://shop.example/health'), 'https://shop.example/health');
});

test('URLs inside text, JSON text and HTML are each masked; the text around them is kept', () => {
  assert.equal(
    maskUrls('redirect loop: http://a.example/?t=1 → http://b.example/x?t=2 (stop)'),
    'redirect loop: http://a.example/?t=*** → http://b.example/x?t=*** (stop)',
  );
  assert.equal(maskUrls('{"next":"https://x.example/p?sig=zz","n":1}'), '{"next":"https://x.example/p?sig=***","n":1}');
  assert.equal(maskUrls('<a href="//cdn.example/a.js?v=3">'), '<a href="//cdn.example/a.js?v=***">');
  assert.equal(maskUrls('not a url user:pw@host, ratio 3/4'), 'not a url user:pw@host, ratio 3/4');
});

test('a secret value is replaced by its ${VAR} reference wherever it appears, an unnamed one by ***', () => {
  const mask = createMasker([{ value: 'tok-9f8e7d6c', name: 'HOOK_TOKEN' }, 'literal-secret-1']);
  assert.equal(
    mask.text('POST https://h.example/hooks/tok-9f8e7d6c/health said: literal-secret-1 rejected'),
    'POST https://h.example/hooks/${HOOK_TOKEN}/health said: *** rejected',
  );
  assert.equal(mask.text(`error: Bearer tok-9f8e7d6c${MASK}`), 'error: Bearer ${HOOK_TOKEN}***');
});

test('bad input: a secret with characters URL encoding changes (+ / = @ %) is masked raw and in every encoded form', () => {
  const secret = 'a+b/c=d@e%f g';
  const mask = createMasker([{ value: secret, name: 'PW' }]);
  const forms = [
    secret,
    encodeURIComponent(secret), // a%2Bb%2Fc%3Dd%40e%25f%20g
    new URLSearchParams({ v: secret }).toString().slice(2), // form: a%2Bb%2Fc%3Dd%40e%25f+g
    encodeURI(secret),
    JSON.stringify(secret).slice(1, -1),
  ];
  for (const form of forms) {
    assert.equal(mask.text(`<${form}>`), '<${PW}>', `form ${form}`);
  }
  // Percent escapes written in lower case (some servers echo them so) are the same secret.
  assert.equal(mask.text('x=a%2bb%2fc%3dd%40e%25f%20g;'), 'x=${PW};');
  // In a URL the WHATWG serialiser (what undici reports as the final URL) encodes it its own way: still masked.
  const url = new URL('https://h.example/');
  url.password = secret;
  url.pathname = `/hooks/${secret}/health`;
  const shown = mask.text(url.href);
  assert.equal(shown, 'https://:***@h.example/hooks/${PW}/health');
  for (const form of encodedForms(secret)) assert.ok(!shown.includes(form), form);
});

test('bad input: a secret that is a substring of a harmless word masks the value only, not the text beyond it', () => {
  const mask = createMasker([{ value: 'heal', name: 'API_KEY' }]);
  assert.equal(
    mask.text('GET https://shop.example/health: healthy'),
    'GET https://shop.example/${API_KEY}th: ${API_KEY}thy',
  );
  // Text that does not contain the value is untouched, byte for byte.
  assert.equal(mask.text('he al, hea l, HEAL'), 'he al, hea l, HEAL');
});

test('a secret containing another is replaced whole; overlapping secrets leave nothing of either', () => {
  const mask = createMasker([
    { value: 'abcd', name: 'SHORT_KEY' },
    { value: 'xxabcdyy', name: 'LONG_KEY' },
  ]);
  assert.equal(mask.text('[xxabcdyy] [abcd]'), '[${LONG_KEY}] [${SHORT_KEY}]');
});

test('a value under 4 characters is masked only as a whole token, never inside words or numbers', () => {
  const mask = createMasker([
    { value: '30', name: 'SESSION_TTL' },
    { value: 'ab', name: 'PWD' },
  ]);
  assert.equal(
    mask.text('ttl 30, 300ms, a30b, /x/30/y, ab cab abc'),
    'ttl ${SESSION_TTL}, 300ms, a30b, /x/${SESSION_TTL}/y, ${PWD} cab abc',
  );
});

test('json masks every string and key deeply, keeps other values, and copies nothing that did not change', () => {
  const mask = createMasker([{ value: 'zz-secret-zz', name: 'X_TOKEN' }]);
  const clean = { status: 200, ok: true, list: [1, 'a'], nested: { n: null } };
  assert.equal(mask.json(clean), clean);
  assert.deepEqual(
    mask.json({ status: 200, body: 'echo zz-secret-zz', headers: { 'zz-secret-zz': 'x' }, urls: ['https://h/?a=1'] }),
    { status: 200, body: 'echo ${X_TOKEN}', headers: { '${X_TOKEN}': 'x' }, urls: ['https://h/?a=***'] },
  );
});

test('maskerFor builds one masker per secret list and masks URLs even with no secrets', () => {
  const list = [{ value: 'qwerty-123', name: 'K' }];
  assert.equal(maskerFor(list), maskerFor(list));
  assert.equal(maskerFor(undefined).text('https://u:p@h/'), 'https://u:***@h/');
  assert.equal(createMasker(['', '']).text('plain text'), 'plain text');
});
