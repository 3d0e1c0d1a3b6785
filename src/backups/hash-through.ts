/** A pass-through stream that hashes (SHA-256) and counts what flows through it. */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Hashes and counts bytes on their way through; `hex()` is valid once the stream has ended. */
export class HashThrough extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private digest: string | undefined;
  /** Bytes seen so far. */
  bytes = 0;

  constructor(private readonly onBytes?: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    cb();
  }

  /** The SHA-256 of everything that passed, in hex (throws before the end: a partial hash proves nothing). */
  hex(): string {
    if (this.digest === undefined) throw new Error('HashThrough.hex() called before the stream ended');
    return this.digest;
  }
}
