/**
 * Where one archive file is, from what a person types: a path, a `file:` URL or `s3://bucket/key`. The file is then
 * read through a target on its folder (or key prefix), like any other archive.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackupError } from './errors.js';
import { localTarget } from './local-target.js';
import { parseS3Url } from './s3-config.js';
import { s3Target } from './s3-target.js';
import type { BackupTarget } from './target.js';

/** One archive: the target holding it and its name there. */
export interface ArchiveLocation {
  target: BackupTarget;
  name: string;
  /** The file for people (`/srv/backups/x.pgdump.age`, `s3://bucket/key`); never holds credentials. */
  shown: string;
}

/**
 * Whether `ref` names a file rather than a catalog id: a URL, a path with a folder, or something that exists there
 * (a folder too, so that locateArchive can say to scan it).
 */
export async function looksLikeFile(ref: string, cwd: string): Promise<boolean> {
  if (/^(file|s3):/i.test(ref) || ref.includes('/') || ref.includes('\\')) return true;
  return stat(resolve(cwd, ref)).then(
    () => true,
    () => false,
  );
}

/** Resolves a path, `file:` URL or `s3://bucket/key` to the archive's target and name. */
export async function locateArchive(
  ref: string,
  opts: { cwd: string; env: Readonly<Record<string, string | undefined>> },
): Promise<ArchiveLocation> {
  if (/^s3:/i.test(ref)) return locateS3(ref, opts.env);
  let path = ref;
  if (/^file:/i.test(ref)) path = ref.startsWith('file://') ? fileURLToPath(ref) : ref.slice('file:'.length);
  const full = isAbsolute(path) ? path : resolve(opts.cwd, path);
  const found = await stat(full).catch(() => undefined);
  if (found === undefined) {
    throw new BackupError(
      `no file ${full}: give the path of a backup archive (as \`upkeep backup\` printed it)`,
      'config',
    );
  }
  if (found.isDirectory()) {
    throw new BackupError(
      `${full} is a folder: name one archive in it, or rebuild the catalog from it with \`upkeep backups --scan ${ref}\``,
      'config',
    );
  }
  return { target: localTarget(dirname(full)), name: basename(full), shown: full };
}

function locateS3(ref: string, env: Readonly<Record<string, string | undefined>>): ArchiveLocation {
  const m = /^(s3:\/\/[^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/i.exec(ref);
  const path = (m?.[2] ?? '').replace(/^\/+/, '');
  const cut = path.lastIndexOf('/');
  const name = path.slice(cut + 1);
  if (!m || name === '') {
    throw new BackupError(
      `"${ref.split('?')[0]}" names no archive: write s3://<bucket>/<key>, e.g. s3://my-backups/shop/shop.main.20260101T020000Z.3f2a9c1e.pgdump.age`,
      'config',
    );
  }
  const folder = cut < 0 ? '' : path.slice(0, cut);
  const location = parseS3Url(`${m[1]}/${folder}${m[3] ?? ''}`, env);
  const target = s3Target(location);
  return { target, name, shown: `${target.description}/${name}` };
}
