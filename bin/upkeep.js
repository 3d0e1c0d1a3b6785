#!/usr/bin/env node
// Runs the compiled JavaScript in dist/ when it is up to date (npm install builds it), and the TypeScript sources
// through tsx otherwise. UPKEEP_SOURCES=1 forces the sources.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freshBuild } from './fresh-build.js';

const compiled = freshBuild(join(dirname(fileURLToPath(import.meta.url)), '..'));
let main;
if (compiled) {
  ({ main } = await import(pathToFileURL(compiled).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
