/**
 * The behaviour every BackupTarget must have, as one suite run against each implementation (the local directory,
 * and the S3 target against its test server).
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { BackupError } from './errors.js';
import type { BackupTarget } from './target.js';

/** Runs the contract against fresh, empty targets made by `make`. */
export function targetContract(name: string, make: () => Promise<BackupTarget>): void {
  describe(`BackupTarget contract: ${name}`, () => {
    it('puts an archive and gives back the same bytes, size and listing', async () => {
      const target = await make();
      const body = Buffer.alloc(200_000, 7);
      const { sizeBytes } = await target.put('a.1.age', Readable.from([body.subarray(0, 5), body.subarray(5)]));
      assert.equal(sizeBytes, body.length);
      assert.equal((await target.stat('a.1.age'))?.sizeBytes, body.length);
      assert.deepEqual(
        (await target.list()).map((e) => e.name),
        ['a.1.age'],
      );
      const chunks: Buffer[] = [];
      for await (const chunk of target.get('a.1.age')) chunks.push(chunk as Buffer);
      assert.ok(Buffer.concat(chunks).equals(body));
    });

    it('shows nothing when the source fails mid-put, and passes the source error through', async () => {
      const target = await make();
      const failing = new Readable({
        read() {
          this.push(Buffer.alloc(70_000));
          this.destroy(new Error('source broke'));
        },
      });
      await assert.rejects(target.put('a.2.age', failing), /^Error: source broke$/);
      assert.deepEqual(await target.list(), []);
      assert.equal(await target.stat('a.2.age'), undefined);
      assert.deepEqual(await target.removePartials('a.'), { removed: [], live: [] });
    });

    it('removes archives (twice is fine) and reads a missing one as a target error', async () => {
      const target = await make();
      await target.put('a.3.age', Readable.from([Buffer.from('x')]));
      await target.remove('a.3.age');
      await target.remove('a.3.age');
      assert.deepEqual(await target.list(), []);
      await assert.rejects(
        async () => {
          for await (const _ of target.get('a.3.age')) {
            // nothing to read
          }
        },
        (err) => err instanceof BackupError && err.reason === 'target',
      );
    });

    it('refuses names that are paths', async () => {
      const target = await make();
      assert.throws(() => target.get('../x'), /not a valid archive name/);
      await assert.rejects(async () => target.put('a/b', Readable.from([])), /not a valid archive name/);
    });
  });
}
