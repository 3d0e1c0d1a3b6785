// Compiles the TypeScript that upkeep runs (src/, the sample app, packages/, bench/) to plain JavaScript in dist/,
// file by file, with esbuild: no type checking (that is `npm run typecheck`), no bundling. bin/upkeep.js runs
// dist/ when it is newer than every source and the sources through tsx otherwise, so an edit never runs stale code.
// Runs on `npm install` (the `prepare` script), so a fresh clone runs compiled code without a manual step.
// It also builds the dashboard (web/) with Vite into dist/web/ (scripts/build-web.mjs).
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { SOURCE_DIRS } from '../bin/fresh-build.js';
import { buildWeb } from './build-web.mjs';

const root = join(fileURLToPath(import.meta.url), '..', '..');
// --outdir is for the build's own test; it must lie inside the package so package-root.ts finds package.json.
const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' }, quiet: { type: 'boolean' } } });
const dist = join(root, values.outdir);

const entryPoints = [...SOURCE_DIRS, 'bench'].flatMap((dir) =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name))),
);

const started = performance.now();
rmSync(dist, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints,
  outdir: values.outdir,
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
// The dashboard (web/), served by upkeep from <outdir>/web/.
const webFiles = await buildWeb(root, join(dist, 'web'));
// Written last: bin/upkeep.js trusts dist/ only when this stamp exists and is newer than every source.
writeFileSync(join(dist, '.built'), `${new Date().toISOString()}\n`);
if (!values.quiet) {
  process.stdout.write(
    `built ${entryPoints.length} files to ${values.outdir}/ and the dashboard (${webFiles} files) to ${values.outdir}/web/ in ${Math.round(performance.now() - started)} ms\n`,
  );
}
