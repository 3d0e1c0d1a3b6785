/**
 * The S3 server for tests: an S3 EMULATOR (gofakes3 in memory, test/s3server), not AWS, which scripts/test.mjs
 * starts and passes as S3_TEST_URL=http://KEY:SECRET@HOST:PORT/BUCKET (set it yourself to use MinIO or a real bucket).
 */
import { randomBytes } from 'node:crypto';
import type { S3Location } from './s3-config.js';

/**
 * Why S3 tests skip (said loudly on stderr), or undefined when they can run. In CI (CI=true) a missing server is an
 * error, so this throws rather than letting the suite pass on skips.
 */
export function s3SkipReason(): string | undefined {
  const raw = process.env.S3_TEST_URL;
  if (raw !== undefined && raw !== '') return undefined;
  const reason =
    process.env.S3_TEST_UNAVAILABLE ??
    'S3_TEST_URL is not set; run the tests through `node scripts/test.mjs`, which starts the S3 test server';
  if (process.env.CI === 'true') throw new Error(`the S3 test server is required in CI: ${reason}`);
  const bar = '!'.repeat(100);
  console.error(`\n${bar}\n!! WARNING: S3 tests SKIPPED: ${reason}\n${bar}\n`);
  return `S3 test server not available: ${reason}`;
}

/** A location on the test server under a fresh prefix, so tests never see each other's objects. */
export function freshS3Location(extra: Partial<S3Location> = {}): S3Location {
  const url = new URL(process.env.S3_TEST_URL ?? 'http://unset:unset@127.0.0.1:1/unset');
  return {
    endpoint: url.origin,
    region: 'us-east-1',
    bucket: url.pathname.replace(/^\/|\/$/g, ''),
    prefix: `upkeep-test-${randomBytes(5).toString('hex')}/backups/`,
    credentials: { accessKeyId: decodeURIComponent(url.username), secretAccessKey: decodeURIComponent(url.password) },
    ...extra,
  };
}
