/**
 * The header of a `pg_dump -Fc` archive, read without pg_restore: the database name and the versions it was dumped
 * with. Mirrors ReadHead() in PostgreSQL's pg_backup_archiver.c (archive versions 1.4 to 1.16). Pure.
 */

/** What a custom-format archive's header says. */
export interface PgArchiveHeader {
  database: string;
  /** `PostgreSQL 16.4`, when the archive records it (1.10+). */
  server?: string;
  /** `pg_dump 16.4`, likewise. */
  dumpedWith?: string;
}

/** Reads the header from the archive's first bytes; undefined when they are not a readable custom-format header. */
export function readPgArchiveHeader(head: Buffer): PgArchiveHeader | undefined {
  if (head.subarray(0, 5).toString('latin1') !== 'PGDMP') return undefined;
  let at = 5;
  const byte = () => {
    if (at >= head.length) throw new RangeError('header cut short');
    return head[at++] as number;
  };
  try {
    const major = byte();
    const minor = byte();
    const version = major * 100 + minor;
    if (major !== 1 || minor < 4) return undefined;
    byte(); // revision
    const intSize = byte();
    byte(); // offset size
    byte(); // format
    if (intSize < 1 || intSize > 8) return undefined;
    const int = () => {
      const negative = byte() !== 0;
      let value = 0;
      for (let i = 0; i < intSize; i++) value += byte() * 2 ** (8 * i);
      return negative ? -value : value;
    };
    const str = () => {
      const length = int();
      if (length < 0) return undefined;
      if (at + length > head.length) throw new RangeError('header cut short');
      const text = head.subarray(at, at + length).toString('utf8');
      at += length;
      return text;
    };
    if (version >= 115)
      byte(); // compression algorithm
    else int(); // compression level
    for (let i = 0; i < 7; i++) int(); // creation time, in the dumping machine's local time: not used
    const database = str();
    if (database === undefined) return undefined;
    if (version < 110) return { database };
    const server = str();
    const dumpedWith = str();
    return {
      database,
      ...(server ? { server: `PostgreSQL ${server}` } : {}),
      ...(dumpedWith ? { dumpedWith: `pg_dump ${dumpedWith}` } : {}),
    };
  } catch {
    return undefined;
  }
}
