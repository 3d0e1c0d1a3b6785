// Whether the compiled dist/ may run in place of the TypeScript sources: only when its stamp is newer than every
// source file, so an edited source is never shadowed by a stale build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Directories whose TypeScript the build compiles and the freshness check compares against. */
export const SOURCE_DIRS = ['src', 'examples/sample-app', 'packages'];

/** The compiled main module under `root` when dist/ is up to date, else undefined. */
export function freshBuild(root, env = process.env) {
  const stamp = join(root, 'dist', '.built');
  if (env.UPKEEP_SOURCES === '1' || !existsSync(stamp)) return undefined;
  const built = statSync(stamp).mtimeMs;
  for (const dir of SOURCE_DIRS) {
    if (!existsSync(join(root, dir))) continue;
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
      if (statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs > built) return undefined;
    }
  }
  return join(root, 'dist', 'src', 'cli', 'main.js');
}
