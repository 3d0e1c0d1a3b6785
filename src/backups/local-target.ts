/** A BackupTarget on a local directory: temporary name, fsync, rename, fsync of the directory. */
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupError, isDiskFull } from './errors.js';
import { checkName, PARTIAL, parsePartial, partialName } from './partial-names.js';
import type { BackupTarget, TargetEntry } from './target.js';

/** Options of a local target. */
export interface LocalTargetOptions {
  /**
   * Fault-injection seam: a stream every written byte passes through on its way to the file (tests use one that
   * fails with ENOSPC past N bytes to simulate a full disk). Production leaves it unset.
   */
  writeThrough?: (name: string) => Transform | PassThrough;
}

type PutOptions = { signal?: AbortSignal; owner?: string };

/** A target storing archives as files in `dir` (created when missing). */
export function localTarget(dir: string, opts: LocalTargetOptions = {}): BackupTarget {
  const pathOf = (name: string) => join(dir, checkName(name));
  return {
    description: `file:${dir}`,
    put: (name, stream, putOpts) => putFile(dir, name, stream, { ...opts, ...putOpts }),
    get: (name) => readFile(dir, pathOf(name), name),
    list: () => listDir(dir),
    async remove(name) {
      try {
        await rm(pathOf(name), { force: true });
      } catch (cause) {
        throw targetError(`cannot remove ${name} from ${dir}`, cause);
      }
    },
    stat: (name) => statEntry(dir, checkName(name)),
    removePartials: (prefix, isLive) => removePartials(dir, prefix, isLive),
  };
}

/** The put of a local target: a temporary owner-only file, fsync, rename, fsync of the directory. */
async function putFile(
  dir: string,
  name: string,
  stream: Readable,
  opts: LocalTargetOptions & PutOptions,
): Promise<{ sizeBytes: number }> {
  const final = join(dir, checkName(name));
  // The writer's tag in the temporary name lets a later run tell an interrupted write from one in progress.
  const tmp = join(dir, partialName(name, opts.owner));
  try {
    // Owner-only like its files: a folder upkeep creates is not listed for other users either.
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw targetError(`cannot create the backup directory ${dir}`, cause);
  }
  // Owner-only: an unencrypted archive is the whole database in the clear.
  const fh = await open(tmp, 'wx', 0o600).catch((cause) => {
    throw targetError(`cannot create ${tmp}`, cause);
  });
  const counter = byteCounter();
  const writes = writeStages(fh, counter.stream, opts.writeThrough?.(name));
  // The first stream to fail is where the fault is; pipeline then destroys the others with the same error.
  let origin: 'source' | 'write' | undefined;
  stream.once('error', () => (origin ??= 'source'));
  for (const s of writes.slice(1)) s.once('error', () => (origin ??= 'write'));
  let closed = false;
  try {
    await pipeline([stream, ...writes], opts.signal ? { signal: opts.signal } : {});
    await fh.close();
    closed = true;
    await rename(tmp, final);
    await syncDir(dir);
    return { sizeBytes: counter.bytes() };
  } catch (err) {
    if (!closed) await fh.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw putFailure(err, { dir, name, sizeBytes: counter.bytes(), origin });
  }
}

/** The stages after the source: the byte counter, the fault-injection seam (tests only), the file. */
function writeStages(fh: FileHandle, counter: Transform, through?: Transform | PassThrough): Writable[] {
  const stages: Writable[] = [counter];
  if (through) stages.push(through);
  stages.push(fileWriter(fh));
  return stages;
}

/** What a failed put throws: a full disk, the source's own failure as it is, or a target error. */
function putFailure(
  err: unknown,
  ctx: { dir: string; name: string; sizeBytes: number; origin: 'source' | 'write' | undefined },
): unknown {
  if (isDiskFull(err)) {
    return new BackupError(
      `target full: no space left in ${ctx.dir} after ${ctx.sizeBytes} bytes of ${ctx.name}; the partial file was removed. ` +
        'Free space there (or prune older backups), or point backup.to at a larger disk',
      'target-full',
      { cause: err },
    );
  }
  // The source's own failure (the database, the encryption) and a cancel pass through as they are.
  if (ctx.origin === 'source' || (err as Error | null)?.name === 'AbortError') return err;
  return targetError(`writing ${ctx.name} to ${ctx.dir} failed`, err);
}

function byteCounter(): { stream: Transform; bytes(): number } {
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  return { stream, bytes: () => bytes };
}

/** Streams a stored archive; a missing one reads as a typed error, not a bare ENOENT. */
function readFile(dir: string, path: string, name: string): Readable {
  const stream = createReadStream(path);
  const out = new PassThrough();
  stream.once('error', (cause) => out.destroy(targetError(`cannot read ${name} from ${dir}`, cause)));
  return stream.pipe(out);
}

/** The complete archives in `dir`, by name (a missing directory holds none). */
async function listDir(dir: string): Promise<TargetEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ENOENT') return [];
    throw targetError(`cannot list ${dir}`, cause);
  }
  const entries: TargetEntry[] = [];
  for (const name of names.sort()) {
    if (name.endsWith(PARTIAL) || name.startsWith('.')) continue;
    const entry = await statEntry(dir, name);
    if (entry) entries.push(entry);
  }
  return entries;
}

/** Removes the temporary files under `prefix` whose writers are not live; reports what is still being written. */
async function removePartials(
  dir: string,
  prefix: string,
  isLive?: (owner: string) => boolean,
): Promise<{ removed: string[]; live: string[] }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { removed: [], live: [] };
  }
  const removed: string[] = [];
  const live: string[] = [];
  for (const name of names.filter((n) => n.startsWith(prefix) && n.endsWith(PARTIAL))) {
    const { file, owner } = parsePartial(name);
    if (owner !== undefined && isLive?.(owner)) {
      live.push(file);
    } else {
      await rm(join(dir, name), { force: true });
      removed.push(name);
    }
  }
  return { removed, live };
}
async function statEntry(dir: string, name: string): Promise<TargetEntry | undefined> {
  try {
    const s = await stat(join(dir, name));
    return s.isFile() ? { name, sizeBytes: s.size, modifiedAt: s.mtimeMs } : undefined;
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ENOENT') return undefined;
    throw targetError(`cannot stat ${name} in ${dir}`, cause);
  }
}

/**
 * Writes to an open file and fsyncs it before finishing, so `finish` means durable. (fs.WriteStream with
 * autoClose: false never lets pipeline() settle, and closing first would leave nothing to fsync.)
 */
function fileWriter(fh: FileHandle): Writable {
  return new Writable({
    highWaterMark: 1 << 20,
    writev(chunks, cb) {
      fh.writev(chunks.map((c) => c.chunk as Buffer)).then(() => cb(), cb);
    },
    final(cb) {
      fh.sync().then(() => cb(), cb);
    },
  });
}

/** Makes the rename durable: without it a power cut can forget the new directory entry. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the file itself is already durable.
  } finally {
    await handle.close();
  }
}

function targetError(what: string, cause: unknown): BackupError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new BackupError(`${what}: ${detail}. Check that the backup directory exists and is writable`, 'target', {
    cause,
  });
}
