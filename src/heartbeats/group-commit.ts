/**
 * Group commit: items submitted within a few ms are written in one transaction, and each submitter's promise
 * settles only after its batch committed. One fsync-bound transaction per request caps ingest at a few hundred per
 * second; one per batch carries thousands.
 */

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/** Options of a GroupCommit. */
export interface GroupCommitOptions {
  /** How long the first item of a batch waits for company (ms). */
  windowMs: number;
  /** Most items per transaction. */
  maxBatch: number;
}

/** Batches items into `write` calls; `write` returns one result per item, in order. */
export class GroupCommit<T, R> {
  private queue: Pending<T, R>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly opts: GroupCommitOptions,
  ) {}

  /** Queues `item`; resolves with its result once its batch is committed, rejects if the batch failed. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting or being written. */
  get pending(): number {
    return this.queue.length;
  }

  /** Writes everything queued now and waits for it (shutdown). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.writing) await this.writing;
    if (this.queue.length > 0) await this.drain();
  }

  private schedule(): void {
    // A write in progress drains the queue when it finishes: what arrives meanwhile forms the next batch.
    if (this.writing || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, this.opts.windowMs);
  }

  private async drain(): Promise<void> {
    if (this.writing) return this.writing;
    let done = () => {};
    this.writing = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.opts.maxBatch);
        try {
          const results = await this.write(batch.map((p) => p.item));
          batch.forEach((p, i) => {
            p.resolve(results[i] as R);
          });
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.writing = null;
      done();
    }
  }
}
