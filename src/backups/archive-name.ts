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
