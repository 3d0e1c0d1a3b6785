import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { progressBar, renderProgress } from './progress.js';

describe('progress bar', () => {
  it('with a known total: bar, percent, bytes of total, rate, collections done of total and the current one', () => {
    const line = renderProgress(
      { bytes: 12_300_000, current: 'orders', done: 3 },
      { bytes: 29_000_000, items: 7 },
      3_000,
    );
    assert.equal(line, '[##########--------------]   42%  12 MB of 29 MB  4.1 MB/s  3/7 orders');
  });

  it('without a total (a new dump): bytes and what is being dumped; no rate in the first half second', () => {
    assert.equal(
      renderProgress({ bytes: 1_500, done: 0, total: 4, current: 'users' }, {}, 100, 80, 'dumping'),
      'dumping 1.5 kB  0/4 users',
    );
    assert.equal(renderProgress({ bytes: 0, done: 2 }, {}, 0), '0 B  2 done');
  });

  it('never wider than the terminal', () => {
    const line = renderProgress({ bytes: 1, done: 0, current: 'x'.repeat(200) }, {}, 0, 40);
    assert.equal(line.length, 39);
    assert.ok(line.endsWith('…'));
  });

  it('draws only on a terminal, throttled, and clears its line when done', () => {
    const pipe = Object.assign(new PassThrough(), { isTTY: false });
    let piped = '';
    pipe.on('data', (d) => {
      piped += d;
    });
    const quiet = progressBar(pipe, {});
    quiet.update({ bytes: 5, done: 0 });
    quiet.done();
    assert.equal(piped, '');

    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    let drawn = '';
    tty.on('data', (d) => {
      drawn += d;
    });
    let t = 1_000;
    const bar = progressBar(tty, {}, { bytes: 100 }, 'restoring', () => t);
    t += 200;
    bar.update({ bytes: 50, done: 0 });
    bar.update({ bytes: 60, done: 0 }); // within 100 ms: skipped
    t += 400;
    bar.update({ bytes: 100, done: 1 });
    bar.done();
    const frames = drawn.split('\r\u001b[2K').filter(Boolean);
    assert.deepEqual(frames, [
      'restoring [############------------]   50%  50 B of 100 B  0 done',
      'restoring [########################]  100%  100 B of 100 B  167 B/s  1 done',
    ]);
    assert.ok(drawn.endsWith('\r\u001b[2K'));
  });
});
