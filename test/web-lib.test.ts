/** The dashboard's pure helpers (web/src/lib): the overview's search words and how numbers and times read. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEmpty, matches, parseQuery } from '../web/src/lib/filter.js';
import { bytes, duration, percent, relativeTime } from '../web/src/lib/format.js';

describe('overview search', () => {
  it('reads app:, state: and kind: words and keeps the rest as free text, case-insensitively', () => {
    assert.deepEqual(parseQuery('  App:Shop state:firing KIND:http  api  Slow '), {
      app: 'shop',
      state: 'firing',
      kind: 'http',
      text: ['api', 'slow'],
    });
    assert.deepEqual(parseQuery('owner:me'), { text: ['owner:me'] });
    assert.ok(isEmpty(parseQuery('   ')));
  });

  it('needs every word to match: fields by prefix (state, kind) or part (app), text anywhere', () => {
    const unit = { app: 'kirana-market', state: 'firing', kind: 'http', haystack: 'kirana-market/api-health HTTP 503' };
    assert.ok(matches(parseQuery('app:kirana state:fir kind:ht 503'), unit));
    assert.ok(!matches(parseQuery('state:ok'), unit));
    assert.ok(!matches(parseQuery('kind:tcp'), unit));
    assert.ok(!matches(parseQuery('503 timeout'), unit));
    assert.ok(matches(parseQuery('state:ok'), { ...unit, state: ['firing', 'ok'] }));
  });
});

describe('formats', () => {
  it('says durations, sizes and ratios the way people read them', () => {
    assert.deepEqual(
      [duration(850), duration(12_400), duration(300_000), duration(7_200_000), duration(2 * 86_400_000)],
      ['850 ms', '12 s', '5 min', '2 h', '2 d'],
    );
    assert.deepEqual(
      [bytes(null), bytes(512), bytes(1536), bytes(5 * 1024 ** 3)],
      ['–', '512 B', '1.5 KiB', '5.0 GiB'],
    );
    assert.deepEqual(
      [percent(null), percent(1), percent(0.99951), percent(0.955), percent(0)],
      ['no data', '100 %', '99.95 %', '95.5 %', '0 %'],
    );
  });

  it('tells past from future relative to now', () => {
    const now = Date.parse('2026-12-03T12:00:00Z');
    assert.equal(relativeTime(now - 5 * 60_000, now), '5 min ago');
    assert.equal(relativeTime(now + 2 * 3_600_000, now), 'in 2 h');
    assert.equal(relativeTime(now - 200, now), 'just now');
  });
});
