/**
 * Names of archives and of the temporary objects beside them (`<file>.<owner>.partial`), shared by every storage
 * target so a listing, a cleanup and a writer agree on them.
 */
import { hostname } from 'node:os';
import { BackupError } from './errors.js';

/** Suffix of an archive still being written: listings ignore it, the next run removes it. */
export const PARTIAL = '.partial';

/** This process as a writer: `<host>-<pid>`. */
export function defaultOwner(): string {
  return `${hostname()}-${process.pid}`;
}

/** The temporary name of `file` while `owner` writes it. */
export function partialName(file: string, owner: string = defaultOwner()): string {
  return `${file}.${owner.replace(/[^A-Za-z0-9-]/g, '-')}${PARTIAL}`;
}

/** `<file>.<owner>.partial` → file and owner (owner undefined for an old-style `<file>.partial`). */
export function parsePartial(name: string): { file: string; owner?: string } {
  const base = name.slice(0, -PARTIAL.length);
  const dot = base.lastIndexOf('.');
  const owner = base.slice(dot + 1);
  // An owner tag always ends in -<pid>; anything else is part of the file name.
  if (dot < 0 || !/-\d+$/.test(owner)) return { file: base };
  return { file: base.slice(0, dot), owner };
}

/** `name` when it is a plain archive name (no path, not hidden, not a temporary name); an internal error otherwise. */
export function checkName(name: string): string {
  if (name === '' || name.includes('/') || name.includes('\\') || name.startsWith('.') || name.endsWith(PARTIAL)) {
    throw new BackupError(`"${name}" is not a valid archive name (a plain file name is expected)`, 'internal');
  }
  return name;
}
