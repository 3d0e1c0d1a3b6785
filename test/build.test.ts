/**
 * The compiled build: `scripts/build.mjs` turns the sources into JavaScript that runs without tsx (package files
 * found, imports resolved), and bin/upkeep.js only runs a build newer than every source.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
// @ts-expect-error: plain JavaScript without type declarations, checked by this test instead.
import { freshBuild } from '../bin/fresh-build.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

describe('compiled build', () => {
  // Inside the package (package-root.ts walks up to package.json), apart from the dist/ that bin/upkeep.js uses.
  const outdir = `.build-test-${process.pid}`;
  after(() => rmSync(join(root, outdir), { recursive: true, force: true }));

  test('compiles the sources to JavaScript that plain node runs: version, demo plan found, a plan checked', async () => {
    const built = await run(process.execPath, ['scripts/build.mjs', '--outdir', outdir], { cwd: root });
    assert.match(built.stdout, new RegExp(`built \\d+ files to ${outdir}/`));
    // The dashboard is built beside the code: index.html linking hashed assets that exist.
    const shell = await readText(join(root, outdir, 'web', 'index.html'));
    const assets = [...shell.matchAll(/"\.\/assets\/([^"]+)"/g)].map((m) => m[1] ?? '');
    assert.ok(
      assets.some((a) => /^index-[\w-]{6,}\.js$/.test(a)),
      shell,
    );
    for (const asset of assets) await readText(join(root, outdir, 'web', 'assets', asset));
    const main = join(root, outdir, 'src', 'cli', 'main.js');
    const script = `const { main } = await import(${JSON.stringify(`file://${main}`)}); process.exitCode = await main(process.argv.slice(1));`;
    // No --import tsx: a .ts import left in the output would fail here.
    const version = await run(process.execPath, ['--input-type=module', '-e', script, '--', '--version'], {
      cwd: root,
    });
    assert.equal(version.stdout.trim(), JSON.parse(await readText(join(root, 'package.json'))).version);
    const checked = await run(
      process.execPath,
      ['--input-type=module', '-e', script, '--', 'check', '--plan', 'examples/demo.yml'],
      {
        cwd: root,
        env: {
          ...process.env,
          NO_COLOR: '1',
          SAMPLE_APP_URL: 'http://127.0.0.1:1',
          SAMPLE_APP_HOSTPORT: '127.0.0.1:1',
        },
      },
    );
    assert.match(checked.stdout, /sample/);
  });
});

describe('bin/upkeep.js picks the build only when it is fresh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'upkeep-fresh-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'src', 'cli'), { recursive: true });
  mkdirSync(join(dir, 'dist'), { recursive: true });
  const source = join(dir, 'src', 'cli', 'main.ts');
  const stamp = join(dir, 'dist', '.built');
  writeFileSync(source, 'export {}\n');
  const at = (file: string, seconds: number) => utimesSync(file, seconds, seconds);

  test('no build: the sources run', () => {
    assert.equal(freshBuild(dir, {}), undefined);
  });

  test('a build newer than every source runs; UPKEEP_SOURCES=1 overrides it', () => {
    writeFileSync(stamp, 'now\n');
    at(source, 1_000);
    at(stamp, 2_000);
    assert.equal(freshBuild(dir, {}), join(dir, 'dist', 'src', 'cli', 'main.js'));
    assert.equal(freshBuild(dir, { UPKEEP_SOURCES: '1' }), undefined);
  });

  test('a source edited after the build makes it stale; an edited test file does not', () => {
    const testFile = join(dir, 'src', 'cli', 'main.test.ts');
    writeFileSync(testFile, 'export {}\n');
    at(source, 1_000);
    at(testFile, 3_000);
    at(stamp, 2_000);
    assert.ok(freshBuild(dir, {}), 'a newer test file does not count');
    at(source, 3_000);
    assert.equal(freshBuild(dir, {}), undefined);
  });
});

async function readText(file: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(file, 'utf8');
}
