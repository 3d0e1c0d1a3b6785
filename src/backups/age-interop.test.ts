/** upkeep's archives and the standard `age` CLI (Debian package `age`) read each other, byte for byte. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { ManualClock } from '../schedule/clock.js';
import { decryptStream, loadIdentities } from './age-crypto.js';
import { runBackup } from './run-backup.js';
import { localTarget } from './target.js';
import { fakeAdapter, openSqliteCatalog, silentLogger, tempDir } from './test-support.js';

function ageSkipReason(): string | undefined {
  const found = spawnSync('age', ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return undefined;
  const reason = 'the age CLI is not installed (apt-get install age; .ci/run installs it)';
  if (process.env.CI === 'true') throw new Error(`age CLI interop is required in CI: ${reason}`);
  return reason;
}

const skip = ageSkipReason();
if (skip !== undefined) {
  console.error(`\n!!!!!!!! WARNING: age interop tests SKIPPED: ${skip} !!!!!!!!\n`);
  test('age CLI interop', (t) => t.skip(skip));
} else {
  describe('age CLI interop', () => {
    const tmp = tempDir('upkeep-age-');
    const keyFile = join(tmp.dir, 'key.txt');
    let recipient: string;

    before(() => {
      execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
      recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
    });
    after(() => tmp.dispose());

    it('an upkeep archive decrypts with `age -d -i keyfile` to exactly the dumped bytes', async () => {
      const { catalog, close } = await openSqliteCatalog(join(tmp.dir, 'store'));
      try {
        const collections = { users: 3_000, orders: 9_000 };
        const record = await runBackup({
          adapter: fakeAdapter({ collections }),
          url: 'mongodb://127.0.0.1:1/shop',
          source: { app: 'shop', database: 'main' },
          targets: [localTarget(join(tmp.dir, 'backups'))],
          recipients: [recipient],
          catalog,
          clock: new ManualClock(Date.UTC(2026, 3, 1)),
          logger: silentLogger,
        });
        const archive = join(tmp.dir, 'backups', record.file);
        const decrypted = execFileSync('age', ['-d', '-i', keyFile, archive], { maxBuffer: 64 << 20 });
        const plain = gunzipSync(decrypted);
        const dumped = await readAll(
          fakeAdapter({ collections }).dump('', { signal: new AbortController().signal, tmpDir: tmp.dir }).stream,
        );
        assert.ok(plain.equals(dumped), 'age CLI output equals the dump');
        assert.equal(createHash('sha256').update(plain).digest('hex'), record.plaintextSha256);
      } finally {
        await close();
      }
    });

    it('a file `age -r` encrypted decrypts in upkeep to the same bytes, with the identity read from the key file', async () => {
      const plain = randomBytes(300_000); // several 64 KiB age chunks and a short last one
      const input = join(tmp.dir, 'plain.bin');
      const encrypted = join(tmp.dir, 'plain.bin.age');
      writeFileSync(input, plain);
      execFileSync('age', ['-r', recipient, '-o', encrypted, input]);
      const identities = await loadIdentities('key.txt', tmp.dir);
      const out = await readAll(await decryptStream(Readable.from([readFileSync(encrypted)]), identities));
      assert.ok(out.equals(plain));
    });
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
