/** Where a plan's `to:` entry points, without opening it (no S3 client): pure, so the plan can use it. */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackupError } from './errors.js';
import { describeS3, parseS3Url } from './s3-config.js';

/**
 * The description the target of `to` will have (`file:/abs/dir`, `s3://bucket/prefix`), without opening it: how the
 * plan tells two entries of a `to:` list that name the same place, and how a catalog copy is matched to the plan.
 */
export function targetDescription(to: string, baseDir: string): string {
  const local = localPathOf(to, baseDir);
  return local !== undefined ? `file:${local}` : describeS3(parseS3Url(to, {}));
}

/** The absolute directory of a local `to:`, undefined for s3://; any other scheme is a config error. */
export function localPathOf(to: string, baseDir: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(to)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme.length === 1 /* a Windows drive letter */) return resolve(baseDir, to);
  if (scheme === 'file') {
    const rest = to.slice('file:'.length);
    const path = rest.startsWith('//') ? fileURLToPath(to) : rest;
    if (path === '') throw new BackupError('backup.to "file:" names no directory: write e.g. file:./backups', 'config');
    return isAbsolute(path) ? path : resolve(baseDir, path);
  }
  if (scheme === 's3') return undefined;
  throw new BackupError(
    `backup.to "${scheme}:..." is not a known target: use file:<directory> (e.g. file:./backups) or s3://<bucket>/<prefix>`,
    'config',
  );
}
