/**
 * The `mongodump` directory layout inside upkeep's MongoDB tar: `<db>/<coll>.bson` (concatenated BSON documents) and
 * `<db>/<coll>.metadata.json` (canonical Extended JSON). Mirrors mongo-tools' mongodump (outputPath, dumpMetadata), so
 * `mongorestore` reads an extracted backup. Pure: names, metadata text and BSON framing; no I/O.
 */
import { createHash } from 'node:crypto';
import { BSON, type Document } from 'mongodb';

/** BSON as read from and written back to the server: numbers keep their BSON type, so a round trip is byte-exact. */
export const exactBson = {
  promoteValues: false,
  promoteLongs: false,
  promoteBuffers: false,
  bsonRegExp: true,
} as const;

const unreserved = /[A-Za-z0-9\-_.~$&+=:@]/;

/** Go's url.PathEscape, which mongodump applies to collection names in file names. */
export function goPathEscape(name: string): string {
  let out = '';
  for (const char of name) {
    if (unreserved.test(char)) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The file name stem mongodump uses for a collection: the escaped name, or for names that would exceed a 255-byte file
 * name, its first 208 bytes + `%24` + base64url(sha1(name)).
 */
export function collectionFileStem(collection: string): string {
  const escaped = goPathEscape(collection);
  if (escaped.length <= 238) return escaped;
  const hash = createHash('sha1').update(collection, 'utf8').digest('base64url');
  return `${escaped.slice(0, 208)}%24${hash}`;
}

/** Whether mongodump would skip this collection of a user database (system.* but system.js, and `$` names). */
export function skipCollection(name: string): boolean {
  if (name === 'system.js') return false;
  if (name.startsWith('system.')) return true;
  return name.includes('$') && !name.includes('.oplog.$');
}

/** One collection as listCollections reports it, numbers kept as BSON types. */
export interface CollectionInfo {
  name: string;
  type?: string;
  options?: Document;
  info?: Document;
}

/** The uuid as mongodump writes it: hex of a subtype-4 binary, or '' when the server reports none. */
export function collectionUuid(info: CollectionInfo): string {
  const uuid = info.info?.uuid;
  if (uuid instanceof BSON.Binary && uuid.sub_type === BSON.Binary.SUBTYPE_UUID) {
    return Buffer.from(uuid.buffer.subarray(0, uuid.position)).toString('hex');
  }
  return '';
}

/**
 * The `<coll>.metadata.json` text: {options, indexes, uuid, collectionName, type} in canonical Extended JSON, with
 * mongodump's omissions (empty options, empty uuid and empty type are left out; indexes is always an array).
 */
export function metadataJson(info: CollectionInfo, indexes: Document[]): string {
  const meta: Document = {};
  if (info.options && Object.keys(info.options).length > 0) meta.options = info.options;
  meta.indexes = indexes;
  const uuid = collectionUuid(info);
  if (uuid) meta.uuid = uuid;
  meta.collectionName = info.name;
  if (info.type) meta.type = info.type;
  return BSON.EJSON.stringify(meta, { relaxed: false });
}

/** A parsed metadata file; unknown keys are kept out. */
export interface CollectionMetadata {
  collectionName?: string;
  type?: string;
  options: Document;
  indexes: Document[];
}

/** Reads a metadata.json text (canonical or relaxed Extended JSON) keeping BSON number types. */
export function parseMetadata(text: string): CollectionMetadata {
  const raw = BSON.EJSON.parse(text, { relaxed: false }) as Document;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('metadata is not a JSON object');
  return {
    ...(typeof raw.collectionName === 'string' ? { collectionName: raw.collectionName } : {}),
    ...(typeof raw.type === 'string' ? { type: raw.type } : {}),
    options: raw.options && typeof raw.options === 'object' ? (raw.options as Document) : {},
    indexes: Array.isArray(raw.indexes) ? (raw.indexes as Document[]) : [],
  };
}

/**
 * An index spec to recreate on restore, or undefined for the `_id` index the server makes itself. `ns` (pre-4.4) and
 * `v` are dropped: the server picks its own index version, and FerretDB refuses `v` outright.
 */
export function indexToCreate(index: Document): Document | undefined {
  if (index.name === '_id_') return undefined;
  const { ns: _ns, v: _v, ...spec } = index;
  return spec;
}

/**
 * A tar entry name taken apart: `<db>/<stem>.bson` or `<db>/<stem>.metadata.json`, also under leading folders (a user's
 * `tar -cf dump.tar dump/` of mongodump's output gives `dump/<db>/...`); undefined for anything else.
 */
export function parseEntryName(
  name: string,
): { database: string; stem: string; kind: 'bson' | 'metadata' } | undefined {
  const match = /^(?:\.\/)?(?:[^/]+\/)*?([^/]+)\/([^/]+)\.(bson|metadata\.json)$/.exec(name);
  if (!match) return undefined;
  return {
    database: match[1] as string,
    stem: match[2] as string,
    kind: match[3] === 'bson' ? 'bson' : 'metadata',
  };
}

/** The collection name a file stem stands for (mongodump's escaping undone; a hashed long name stays as is). */
export function collectionFromStem(stem: string): string {
  try {
    return decodeURIComponent(stem);
  } catch {
    return stem;
  }
}

/** Largest document MongoDB accepts (16 MiB) plus headroom a server may use internally; anything bigger is corrupt. */
const maxDocument = 16 * 1024 * 1024 + 16 * 1024;

/**
 * Cuts a stream of concatenated BSON documents into whole documents as chunks arrive, holding at most one partial
 * document. push() returns the complete documents; end() throws when bytes are left over (a truncated file).
 */
export class BsonSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes needed before the next document is whole: concatenating earlier would copy a large document repeatedly. */
  private need = 4;

  /** Adds a chunk; returns the documents it completed (each a Buffer holding exactly one BSON document). */
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const out: Buffer[] = [];
    if (this.pendingBytes < this.need) return out;
    let buffer = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    let offset = 0;
    while (buffer.length - offset >= 4) {
      const size = buffer.readInt32LE(offset);
      if (size < 5 || size > maxDocument) {
        throw new Error(`corrupt BSON: a document claims ${size} bytes`);
      }
      if (buffer.length - offset < size) break;
      if (buffer[offset + size - 1] !== 0) throw new Error('corrupt BSON: a document does not end with a zero byte');
      out.push(buffer.subarray(offset, offset + size));
      offset += size;
    }
    buffer = buffer.subarray(offset);
    this.pending = buffer.length > 0 ? [buffer] : [];
    this.pendingBytes = buffer.length;
    this.need = buffer.length >= 4 ? buffer.readInt32LE(0) : 4;
    return out;
  }

  /** Declares the stream finished; throws when a document was cut short. */
  end(): void {
    if (this.pendingBytes > 0) throw new Error(`truncated BSON: ${this.pendingBytes} bytes of an unfinished document`);
  }
}
