// A throwaway S3-compatible server for the test run: gofakes3 in memory (test/s3server, built with Go into
// test/.bin/s3server), on a free 127.0.0.1 port. It is an S3 emulator, not AWS; S3_TEST_URL=http://KEY:SECRET@HOST/BUCKET
// points the tests at a real S3-compatible service (MinIO, ...) instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'test', 's3server');
/** Where the S3 test server is built (gitignored). */
export const s3serverBinary = join(root, 'test', '.bin', 's3server');
const accessKey = 'upkeep-test';
const bucket = 'upkeep-test';

/** Builds test/.bin/s3server when it is missing or older than its sources; throws saying why it could not. */
export function buildS3server() {
  const newest = Math.max(...['go.sum', 'main.go'].map((f) => statSync(join(source, f)).mtimeMs));
  if (existsSync(s3serverBinary) && statSync(s3serverBinary).mtimeMs >= newest) return;
  console.error('test: building the S3 test server (test/s3server, once)...');
  const result = spawnSync('go', ['build', '-buildvcs=false', '-o', s3serverBinary, '.'], {
    cwd: source,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (result.error) {
    throw new Error(`cannot build the S3 test server: go: ${result.error.message} (install Go, or set S3_TEST_URL)`);
  }
  if (result.status !== 0) {
    throw new Error(
      `cannot build the S3 test server: go build exited ${result.status}: ${result.stderr.trim().slice(-800)}`,
    );
  }
}

/**
 * Starts the S3 test server (building it first if needed). Resolves to { url, stop() } where url is
 * http://KEY:SECRET@127.0.0.1:PORT/BUCKET; rejects saying why it is unavailable. stop() is synchronous.
 */
export async function startTestS3() {
  buildS3server();
  const child = spawn(s3serverBinary, ['-listen', '127.0.0.1:0', '-bucket', bucket, '-access-key', accessKey], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  try {
    // The server prints its address once it accepts connections (it picks the free port itself).
    const address = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const match = /^listening (http:\/\/\S+)$/m.exec(out);
        if (match) resolve(match[1]);
      });
      child.once('error', reject);
      child.once('exit', (code) =>
        reject(new Error(`the S3 test server exited ${code}: ${stderr.trim().slice(-800)}`)),
      );
    });
    // The test run must not wait for the server to exit; stop() ends it.
    child.unref();
    child.stdout.unref?.();
    child.stderr.unref?.();
    const url = new URL(address);
    url.username = accessKey;
    url.password = 'upkeep-test-secret';
    url.pathname = `/${bucket}`;
    return { url: url.toString(), stop };
  } catch (err) {
    stop();
    throw err;
  }
}
