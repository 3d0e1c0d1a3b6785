/**
 * The directory holding upkeep's package.json, found by walking up from this module, so files shipped beside the
 * code (package.json, examples/) are found both from the TypeScript sources and from the compiled dist/ tree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).name === 'upkeep') return dir;
    if (dirname(dir) === dir) throw new Error(`upkeep's package.json was not found above ${start}`);
  }
}

/** Absolute path of upkeep's package directory. */
export const PACKAGE_ROOT: string = findRoot(dirname(fileURLToPath(import.meta.url)));

/** An absolute path to a file shipped in upkeep's package (`examples/demo.yml`). */
export function packageFile(relative: string): string {
  return join(PACKAGE_ROOT, relative);
}
