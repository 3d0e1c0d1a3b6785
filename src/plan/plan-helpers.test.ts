// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about the plan's own ${VAR} syntax.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpolate, scrubSecrets } from './interpolate.js';
import { formatIssue } from './plan-error.js';
import { editDistance, nearest } from './suggest.js';
import { parseDateTime, zoneOffsetMs } from './zoned-time.js';

describe('interpolate', () => {
  it('fills, defaults and escapes', () => {
    const env = { HOST: 'db.local', EMPTY: '' };
    assert.deepEqual(interpolate('mongodb://${HOST}:${PORT:-27017}/x', env), {
      value: 'mongodb://db.local:27017/x',
      used: [{ name: 'HOST', value: 'db.local', at: 10 }],
      problems: [],
    });
    assert.equal(interpolate('${EMPTY:-fallback}', env).value, 'fallback');
    assert.equal(interpolate('${EMPTY}', env).value, '');
    assert.equal(interpolate('cost: $${HOST} and $5', env).value, 'cost: ${HOST} and $5');
  });

  it('reports missing and malformed references with their offsets', () => {
    assert.deepEqual(interpolate('a ${NOPE} b ${1BAD} c ${OPEN', {}).problems, [
      { offset: 2, name: 'NOPE', kind: 'missing' },
      { offset: 12, name: '${1BAD}', kind: 'malformed' },
      { offset: 22, name: '${OPEN', kind: 'malformed' },
    ]);
  });

  it('scrubs secret values back to their references, raw and encoded, and masks URL query values', () => {
    const used = [{ name: 'TOKEN', value: 's3cr/t+token' }];
    assert.equal(scrubSecrets('bad value "s3cr/t+token" here', used), 'bad value "${TOKEN}" here');
    assert.equal(scrubSecrets('bad URL https://x/s3cr%2Ft%2Btoken/h', used), 'bad URL https://x/${TOKEN}/h');
    assert.equal(scrubSecrets('bad URL https://x/?t=other', used), 'bad URL https://x/?t=***');
  });
});

describe('suggest', () => {
  it('measures edits and only suggests plausible typos', () => {
    assert.equal(editDistance('evry', 'every'), 1);
    assert.equal(editDistance('prot', 'port'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(nearest('evry', ['every', 'schedule']), 'every');
    assert.equal(nearest('zzz', ['every', 'schedule']), undefined);
  });
});

describe('parseDateTime', () => {
  it('reads offsets exactly and bare times in the plan zone, across DST', () => {
    assert.equal(parseDateTime('2026-01-10T02:00:00Z', 'Asia/Kolkata'), Date.parse('2026-01-10T02:00:00Z'));
    assert.equal(parseDateTime('2026-01-10T02:00+05:30', 'UTC'), Date.parse('2026-01-09T20:30:00Z'));
    assert.equal(parseDateTime('2026-01-10T02:00', 'Asia/Kolkata'), Date.parse('2026-01-09T20:30:00Z'));
    assert.equal(parseDateTime('2026-07-01 12:00', 'Europe/Berlin'), Date.parse('2026-07-01T10:00:00Z'));
    assert.equal(parseDateTime('2026-12-01', 'Europe/Berlin'), Date.parse('2026-11-30T23:00:00Z'));
    assert.equal(zoneOffsetMs(Date.parse('2026-07-01T00:00:00Z'), 'Europe/Berlin'), 7_200_000);
  });

  it('refuses impossible dates', () => {
    for (const text of ['2026-02-30', '2026-13-01T00:00', 'tomorrow', '2026-01-01T24:00']) {
      assert.equal(parseDateTime(text, 'UTC'), undefined, text);
    }
  });
});

describe('formatIssue', () => {
  it('prints file:line:col: message (found, expected; did you mean)', () => {
    assert.equal(
      formatIssue({
        file: 'u.yml',
        line: 3,
        column: 5,
        path: 'a',
        message: 'unknown key "evry"',
        found: 'evry',
        expected: 'a key',
        suggestion: 'every',
      }),
      'u.yml:3:5: unknown key "evry" (found evry, expected a key; did you mean "every"?)',
    );
    assert.equal(formatIssue({ file: 'u.yml', line: 1, column: 1, path: '', message: 'empty' }), 'u.yml:1:1: empty');
  });
});
