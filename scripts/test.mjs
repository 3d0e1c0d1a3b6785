#!/usr/bin/env node
// Runs every *.test.ts beside the code with node's test runner (through tsx), so the closing summary is node's own.
// Node 20's --test takes no globs, so the files are listed here.
// Tests that need PostgreSQL get a throwaway cluster (scripts/test-postgres.mjs) through UPKEEP_TEST_DATABASE_URL.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestMongo } from './test-mongodb.mjs';
import { startTestPostgres } from './test-postgres.mjs';
import { startTestS3 } from './test-s3.mjs';

const roots = ['src', 'examples', 'bench', 'test', 'packages'];
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files = roots
  .flatMap((root) => walk(root, []))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

// Only start PostgreSQL (about 2 s) when a selected test uses it: through src/store/test-database.ts or the variable.
const needsPostgres = files.some((f) => /test-database|UPKEEP_TEST_DATABASE_URL/.test(readFileSync(f, 'utf8')));
// MongoDB tests (src/databases/test-mongodb.ts) get a throwaway FerretDB (scripts/test-mongodb.mjs).
const needsMongo = files.some((f) => /test-mongodb|MONGODB_TEST_URL/.test(readFileSync(f, 'utf8')));
// S3 tests (src/backups/test-s3.ts, S3_TEST_URL) get a throwaway S3 emulator (scripts/test-s3.mjs).
const needsS3 = files.some((f) => /test-s3|S3_TEST_URL/.test(readFileSync(f, 'utf8')));
const env = { ...process.env };
let postgres;
let mongo;
let s3;
let child;
const stopPostgres = () => {
  postgres?.stop();
  postgres = undefined;
  mongo?.stop();
  mongo = undefined;
  s3?.stop();
  s3 = undefined;
};
process.on('exit', stopPostgres);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    // A terminal's Ctrl-C reaches the test process too; a kill aimed at this launcher only is passed on.
    if (child && child.exitCode === null) child.kill(signal);
    else {
      stopPostgres();
      process.exit(130);
    }
  });
}

if (needsPostgres && !env.UPKEEP_TEST_DATABASE_URL) {
  try {
    postgres = await startTestPostgres();
    env.UPKEEP_TEST_DATABASE_URL = postgres.url;
    console.error(`test: throwaway PostgreSQL at ${postgres.url}`);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (process.env.CI === 'true') {
      console.error(`\ntest: FAILED: PostgreSQL is required in CI (CI=true) but could not be started: ${reason}\n`);
      process.exit(1);
    }
    env.UPKEEP_TEST_POSTGRES_UNAVAILABLE = reason;
    const bar = '!'.repeat(100);
    console.error(`\n${bar}\n!! WARNING: PostgreSQL not available, PostgreSQL tests will be SKIPPED.\n!! ${reason}\n`);
    console.error(`!! Install postgresql or set UPKEEP_TEST_DATABASE_URL=postgres://... to run them.\n${bar}\n`);
  }
}

if (needsMongo && !env.MONGODB_TEST_URL) {
  try {
    mongo = await startTestMongo();
    env.MONGODB_TEST_URL = mongo.url;
    console.error(`test: throwaway FerretDB (MongoDB protocol) at ${mongo.url}`);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (process.env.CI === 'true') {
      console.error(`\ntest: FAILED: FerretDB is required in CI (CI=true) but could not be started: ${reason}\n`);
      stopPostgres();
      process.exit(1);
    }
    env.MONGODB_TEST_UNAVAILABLE = reason;
    const bar = '!'.repeat(100);
    console.error(`\n${bar}\n!! WARNING: FerretDB not available, MongoDB tests will be SKIPPED.\n!! ${reason}\n`);
    console.error(
      `!! Install Go >= 1.24 (builds test/ferretdb) or set MONGODB_TEST_URL=mongodb://... to run them.\n${bar}\n`,
    );
  }
}

if (needsS3 && !env.S3_TEST_URL) {
  try {
    s3 = await startTestS3();
    env.S3_TEST_URL = s3.url;
    console.error(`test: throwaway S3 emulator at ${s3.url.replace(/\/\/[^@]*@/, '//')}`);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (process.env.CI === 'true') {
      console.error(
        `\ntest: FAILED: the S3 test server is required in CI (CI=true) but could not be started: ${reason}\n`,
      );
      stopPostgres();
      process.exit(1);
    }
    env.S3_TEST_UNAVAILABLE = reason;
    const bar = '!'.repeat(100);
    console.error(
      `\n${bar}\n!! WARNING: S3 test server not available, S3 target tests will be SKIPPED.\n!! ${reason}\n`,
    );
    console.error(
      `!! Install Go (builds test/s3server) or set S3_TEST_URL=http://KEY:SECRET@HOST:PORT/BUCKET.\n${bar}\n`,
    );
  }
}

// A hung test fails after 3 minutes with its name instead of holding the whole run (and CI) until it is killed; a
// --test-timeout given on the command line wins.
const timeout = flags.some((f) => f.startsWith('--test-timeout')) ? [] : ['--test-timeout=180000'];
child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...timeout, ...flags, ...files], {
  stdio: 'inherit',
  env,
});
child.on('exit', (code, signal) => {
  stopPostgres();
  process.exit(code ?? (signal ? 128 + 2 : 1));
});
