/** Local target and `to:` resolution: atomic puts, listings without partials, clear errors. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { BackupError } from './errors.js';
import { targetContract } from './target.contract.js';
import { localTarget, resolveTarget } from './target.js';
import { tempDir } from './test-support.js';

const contractDirs = tempDir('upkeep-target-contract-');
after(() => contractDirs.dispose());
let contractNo = 0;
targetContract('localTarget', async () => localTarget(join(contractDirs.dir, String(++contractNo))));

describe('localTarget', () => {
  const tmp = tempDir('upkeep-target-');
  after(() => tmp.dispose());

  it('puts, stats, lists, reads and removes archives; partial files are neither listed nor read', async () => {
    const dir = join(tmp.dir, 'a');
    const target = localTarget(dir);
    const { sizeBytes } = await target.put(
      'x.tar.gz.age',
      Readable.from([Buffer.from('hello '), Buffer.from('world')]),
    );
    assert.equal(sizeBytes, 11);
    assert.equal(statSync(join(dir, 'x.tar.gz.age')).mode & 0o777, 0o600, 'archives are readable by their owner only');
    writeFileSync(join(dir, 'y.tar.gz.age.partial'), 'half');
    assert.deepEqual(
      (await target.list()).map((e) => [e.name, e.sizeBytes]),
      [['x.tar.gz.age', 11]],
    );
    assert.equal((await target.stat('x.tar.gz.age'))?.sizeBytes, 11);
    assert.equal(await target.stat('missing'), undefined);
    const chunks: Buffer[] = [];
    for await (const c of target.get('x.tar.gz.age')) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'hello world');
    assert.deepEqual(await target.removePartials('y.'), { removed: ['y.tar.gz.age.partial'], live: [] });
    await target.remove('x.tar.gz.age');
    await target.remove('x.tar.gz.age');
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a failing source leaves nothing behind and passes its own error through', async () => {
    const dir = join(tmp.dir, 'b');
    const target = localTarget(dir);
    const source = new Readable({
      read() {
        this.push(Buffer.alloc(1000));
        this.destroy(new Error('source broke'));
      },
    });
    await assert.rejects(target.put('z.age', source), /^Error: source broke$/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('never overwrites a name that is being written by someone else, and rejects path-like names', async () => {
    const dir = join(tmp.dir, 'c');
    const target = localTarget(dir);
    await target.put('n.age', Readable.from([Buffer.from('1')]));
    writeFileSync(join(dir, 'm.age.w1-7.partial'), 'in flight');
    await assert.rejects(
      target.put('m.age', Readable.from([Buffer.from('2')]), { owner: 'w1-7' }),
      (err) => err instanceof BackupError && err.reason === 'target',
    );
    assert.equal(readFileSync(join(dir, 'm.age.w1-7.partial'), 'utf8'), 'in flight');
    assert.throws(() => target.get('../etc/passwd'), /not a valid archive name/);
  });

  it('removes only the temporary files of writers that are gone', async () => {
    const dir = join(tmp.dir, 'e');
    const target = localTarget(dir);
    await target.put('keep.age', Readable.from([Buffer.from('1')]));
    for (const name of [
      'a.1.age.hostx-10.partial',
      'a.2.age.hostx-11.partial',
      'a.3.age.partial',
      'b.1.age.hostx-12.partial',
    ]) {
      writeFileSync(join(dir, name), 'x');
    }
    const result = await target.removePartials('a.', (owner) => owner === 'hostx-11');
    assert.deepEqual(result, { removed: ['a.1.age.hostx-10.partial', 'a.3.age.partial'], live: ['a.2.age'] });
    assert.deepEqual(readdirSync(dir).sort(), ['a.2.age.hostx-11.partial', 'b.1.age.hostx-12.partial', 'keep.age']);
  });

  it('reading a missing archive is a target error', async () => {
    const target = localTarget(join(tmp.dir, 'd'));
    await assert.rejects(
      async () => {
        for await (const _ of target.get('gone.age')) {
          // nothing
        }
      },
      (err) => err instanceof BackupError && err.reason === 'target' && /cannot read gone\.age/.test(err.message),
    );
  });
});

describe('resolveTarget', () => {
  it('reads file: URLs and plain paths relative to the plan', () => {
    assert.equal(resolveTarget('file:./backups', { baseDir: '/srv/app' }).description, 'file:/srv/app/backups');
    assert.equal(resolveTarget('file:///var/backups', { baseDir: '/srv/app' }).description, 'file:/var/backups');
    assert.equal(resolveTarget('file:/var/b', { baseDir: '/srv/app' }).description, 'file:/var/b');
    assert.equal(resolveTarget('backups', { baseDir: '/srv/app' }).description, 'file:/srv/app/backups');
  });

  it('reads s3:// as an S3 target (s3-target.test.ts runs it), refusing options it does not know without echoing them', () => {
    assert.equal(resolveTarget('s3://bucket/path/', { baseDir: '/', env: {} }).description, 's3://bucket/path');
    assert.throws(
      () => resolveTarget('s3://bucket/path?secret=abc', { baseDir: '/', env: {} }),
      (err) =>
        err instanceof BackupError &&
        err.reason === 'config' &&
        /unknown option "secret"/.test(err.message) &&
        !err.message.includes('abc'),
    );
    assert.throws(() => resolveTarget('ftp://host/x', { baseDir: '/' }), /not a known target: use file:/);
  });
});
