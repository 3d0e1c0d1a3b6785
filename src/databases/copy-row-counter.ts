/**
 * Counts rows per table in the SQL script `pg_restore --data-only -f -` writes: each table's data is a
 * `COPY schema.table (...) FROM stdin;` line, one line per row (COPY text format escapes newlines in values), and
 * a `\.` line. This lets a dry run report exact counts from the archive itself, not only what the backup recorded.
 */
import type { Counts } from './adapter.js';

const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const DOT = 0x2e;

/** Parses `"My Schema"."T"` or `public.t` into `My Schema.T`; undefined when the text is not a qualified name. */
export function parseQualifiedName(text: string): string | undefined {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      let name = '';
      i++;
      for (;;) {
        if (i >= text.length) return undefined;
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            name += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += text[i];
        i++;
      }
      parts.push(name);
    } else {
      const match = /^[^."\s]+/.exec(text.slice(i));
      if (!match) return undefined;
      parts.push(match[0]);
      i += match[0].length;
    }
    if (i < text.length) {
      if (text[i] !== '.') return undefined;
      i++;
    }
  }
  return parts.length === 2 ? parts.join('.') : undefined;
}

/** Feeds chunks of the script; `counts` holds every table seen so far (empty tables included, as 0). */
export class CopyRowCounter {
  readonly counts: Counts = {};
  private table: string | undefined;
  private pending: Buffer = Buffer.alloc(0);

  /** Consumes one chunk; lines split across chunks are carried over. */
  write(chunk: Buffer): void {
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let start = 0;
    for (;;) {
      const end = buf.indexOf(NEWLINE, start);
      if (end < 0) break;
      this.line(buf, start, end);
      start = end + 1;
    }
    this.pending = start < buf.length ? Buffer.from(buf.subarray(start)) : Buffer.alloc(0);
  }

  /** Call at the end of input; a COPY block still open means the script was cut short. */
  end(): Counts {
    if (this.pending.length > 0) this.line(this.pending, 0, this.pending.length);
    this.pending = Buffer.alloc(0);
    if (this.table !== undefined) throw new Error(`the archive ends inside the data of ${this.table}`);
    return this.counts;
  }

  private line(buf: Buffer, start: number, end: number): void {
    if (this.table !== undefined) {
      // Hot path: one comparison per row. A row can't be a bare `\.`: COPY writes a backslash as `\\`.
      if (end - start === 2 && buf[start] === BACKSLASH && buf[start + 1] === DOT) this.table = undefined;
      else this.counts[this.table] = (this.counts[this.table] ?? 0) + 1;
      return;
    }
    if (end - start < 5 || buf[start] !== 0x43 /* C */) return;
    const text = buf.toString('utf8', start, end);
    const match = /^COPY (.+?)(?: \(.*\))? FROM stdin;$/.exec(text);
    if (!match?.[1]) return;
    const name = parseQualifiedName(match[1]);
    if (name === undefined) return;
    this.table = name;
    this.counts[name] ??= 0;
  }
}
