// A throwaway MongoDB-protocol server for the test run: FerretDB v1 on SQLite (test/ferretdb, built with Go into
// test/.bin/ferretdb), started on a free 127.0.0.1 port with a temp data directory, and removed afterwards.
// No real mongod can be installed from the registries here; MONGODB_TEST_URL=mongodb://... uses a real one instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'test', 'ferretdb');
/** Where the FerretDB test binary is built (gitignored). */
export const ferretdbBinary = join(root, 'test', '.bin', 'ferretdb');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Builds test/.bin/ferretdb when it is missing or older than go.sum; throws saying why it could not. */
export function buildFerretdb() {
  const sum = join(source, 'go.sum');
  if (existsSync(ferretdbBinary) && statSync(ferretdbBinary).mtimeMs >= statSync(sum).mtimeMs) return;
  console.error('test: building FerretDB for the MongoDB tests (test/ferretdb, about a minute, once)...');
  const result = spawnSync('go', ['build', '-buildvcs=false', '-o', ferretdbBinary, '.'], {
    cwd: source,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (result.error) {
    throw new Error(`cannot build FerretDB: go: ${result.error.message} (install Go >= 1.24, or set MONGODB_TEST_URL)`);
  }
  if (result.status !== 0) {
    throw new Error(`cannot build FerretDB: go build exited ${result.status}: ${result.stderr.trim().slice(-800)}`);
  }
}

async function answers(url, timeoutMs) {
  // The driver's own ping: the port being open is not enough, the handler must answer commands.
  const { MongoClient } = await import('mongodb');
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
    try {
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.close().catch(() => {});
    }
  }
  throw new Error(`FerretDB did not answer within ${timeoutMs} ms: ${lastError?.message ?? 'no reply'}`);
}

/**
 * Starts FerretDB on a free port (building it first if needed). Resolves to { url, stop() }; rejects with an Error
 * saying why it is unavailable. stop() is synchronous so it can run from signal and exit handlers.
 */
export async function startTestMongo() {
  buildFerretdb();
  const dir = mkdtempSync(join(tmpdir(), 'upkeep-test-mongo-'));
  let child;
  let stderr = '';
  const stop = () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // Already gone: only the files remain to remove.
      }
    }
    child = undefined;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let lastError;
    // The free port can be taken between probing and binding: try a few.
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const url = `mongodb://127.0.0.1:${port}/`;
      stderr = '';
      child = spawn(ferretdbBinary, ['-listen', `127.0.0.1:${port}`, '-dir', join(dir, `data-${attempt}`)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr.on('data', (chunk) => {
        stderr = (stderr + chunk).slice(-4000);
      });
      // The test run must not wait for FerretDB to exit; stop() ends it.
      child.unref();
      child.stderr.unref?.();
      const exited = new Promise((_, reject) =>
        child.once('exit', (code) => reject(new Error(`FerretDB exited ${code}: ${stderr.trim().slice(-800)}`))),
      );
      const spawnFailed = new Promise((_, reject) => child.once('error', reject));
      // stop() kills it later on purpose: that exit must not surface as an unhandled rejection.
      exited.catch(() => {});
      spawnFailed.catch(() => {});
      try {
        await Promise.race([answers(url, 15_000), exited, spawnFailed]);
        return { url, stop };
      } catch (err) {
        lastError = err;
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }
    throw lastError;
  } catch (err) {
    stop();
    throw err;
  }
}
