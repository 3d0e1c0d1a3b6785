/** How archives are named: `<app>.<database>.<UTC stamp>.<id8>.<format>[.gz][.age]`, sortable by time. Pure. */

/** The archive name of a backup. */
export function archiveName(opts: {
  app: string;
  database: string;
  startedAt: number;
  id: string;
  format: string;
  gzip: boolean;
  encrypted: boolean;
}): string {
  const stamp = new Date(opts.startedAt)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const short = opts.id.replace(/-/g, '').slice(0, 8);
  return `${archivePrefix(opts)}${stamp}.${short}.${opts.format}${opts.gzip ? '.gz' : ''}${opts.encrypted ? '.age' : ''}`;
}

/** The name prefix all archives of one database share (for cleaning up its interrupted runs). */
export function archivePrefix(source: { app: string; database: string }): string {
  return `${source.app}.${source.database}.`;
}

/** What an archive's name says, when it is one of upkeep's names (see archiveName). */
export interface ArchiveNameFacts {
  app: string;
  database: string;
  startedAt: number;
  /** The first 8 hex digits of the backup's id. */
  shortId: string;
  format: 'tar' | 'pgdump';
  gzip: boolean;
  encrypted: boolean;
}

const NAME = /^(.+?)\.(.+)\.(\d{8}T\d{6}Z)\.([0-9a-f]{8})\.(tar|pgdump)(\.gz)?(\.age)?$/;

/**
 * Reads an archive name back; undefined for any other name (a renamed file). An app name with a dot is ambiguous
 * in a name: the first dot is taken as the separator. Pure.
 */
export function parseArchiveName(name: string): ArchiveNameFacts | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const stamp = m[3] as string;
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`;
  const startedAt = Date.parse(iso);
  if (Number.isNaN(startedAt)) return undefined;
  return {
    app: m[1] as string,
    database: m[2] as string,
    startedAt,
    shortId: m[4] as string,
    format: m[5] as 'tar' | 'pgdump',
    gzip: m[6] !== undefined,
    encrypted: m[7] !== undefined,
  };
}
