/** Local backup files and their temporary files are owner-only whatever the umask. */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { PARTIAL } from './partial-names.js';
import { localTarget } from './target.js';
import { tempDir } from './test-support.js';

describe('localTarget file modes', () => {
  const tmp = tempDir('upkeep-target-modes-');
  after(() => tmp.dispose());

  for (const mask of [0o022, 0o000]) {
    it(`umask ${mask.toString(8).padStart(3, '0')}: the new folder is 0700, the archive and its .partial 0600`, async () => {
      const dir = join(tmp.dir, `umask-${mask}`, 'backups');
      const partialModes: number[] = [];
      // The write-through seam runs while the temporary file is open: it looks at that file's mode mid-write.
      const target = localTarget(dir, {
        writeThrough: () => {
          const through = new PassThrough();
          through.once('data', () => {
            for (const name of readdirSync(dir).filter((n) => n.endsWith(PARTIAL))) {
              partialModes.push(statSync(join(dir, name)).mode & 0o777);
            }
          });
          return through;
        },
      });
      const before = process.umask(mask);
      try {
        await target.put('db.dump.age', Readable.from([Buffer.from('secret rows')]));
      } finally {
        process.umask(before);
      }
      assert.deepEqual(partialModes, [0o600]);
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      assert.equal(statSync(join(dir, 'db.dump.age')).mode & 0o777, 0o600);
    });
  }
});
