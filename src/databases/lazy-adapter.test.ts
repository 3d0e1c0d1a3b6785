import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, test } from 'node:test';
import type { AdapterContext, DatabaseAdapter, DumpSummary } from './adapter.js';
import { lazyAdapter } from './lazy-adapter.js';

const ctx: AdapterContext = { signal: new AbortController().signal, tmpDir: '/nonexistent' };
const facts = { engine: 'mongodb', format: 'tar', compressed: false } as const;

/** A small in-memory adapter: dump streams `chunks`, then fails with `failWith` when given. */
function memoryAdapter(chunks: string[], failWith?: Error): DatabaseAdapter & { destroyed: () => boolean } {
  let source: Readable | undefined;
  const unused = () => Promise.reject(new Error('not used here'));
  return {
    ...facts,
    destroyed: () => source?.destroyed ?? false,
    preflight: async () => ({ server: 'memory 1.0' }),
    dump() {
      let settle!: { ok: (s: DumpSummary) => void; fail: (e: Error) => void };
      const summary = new Promise<DumpSummary>((ok, fail) => {
        settle = { ok, fail };
      });
      source = Readable.from(
        (async function* () {
          for (const chunk of chunks) yield chunk;
          if (failWith) {
            settle.fail(failWith);
            throw failWith;
          }
          settle.ok({ counts: { things: chunks.length }, server: 'memory 1.0' });
        })(),
      );
      return { stream: source, summary };
    },
    inspect: unused,
    restore: unused,
    counts: async () => ({ things: 3 }),
    isEmpty: async () => true,
    scratch: unused,
  };
}

describe('lazyAdapter', () => {
  test('knows its facts without loading; loads once, on first use', async () => {
    let loads = 0;
    const lazy = lazyAdapter(facts, async () => {
      loads++;
      return memoryAdapter([]);
    });
    assert.deepEqual([lazy.engine, lazy.format, lazy.compressed, loads], ['mongodb', 'tar', false, 0]);
    assert.deepEqual(await lazy.counts('x', ctx), { things: 3 });
    assert.equal(await lazy.isEmpty('x', ctx), true);
    assert.equal(loads, 1);
  });

  test('dump streams the real dump and resolves its summary', async () => {
    const lazy = lazyAdapter(facts, async () => memoryAdapter(['a', 'b', 'c']));
    const { stream, summary } = lazy.dump('x', ctx);
    assert.equal(await text(stream), 'abc');
    assert.deepEqual(await summary, { counts: { things: 3 }, server: 'memory 1.0' });
  });

  test('a source failing mid-dump errors the stream and the summary with its own error', async () => {
    const boom = new Error('connection reset mid-dump');
    const lazy = lazyAdapter(facts, async () => memoryAdapter(['a', 'b'], boom));
    const { stream, summary } = lazy.dump('x', ctx);
    await assert.rejects(text(stream), (err) => err === boom);
    await assert.rejects(summary, (err) => err === boom);
  });

  test('a consumer that stops early destroys the real source', async () => {
    const real = memoryAdapter(Array.from({ length: 1000 }, (_, i) => `chunk ${i}\n`));
    const lazy = lazyAdapter(facts, async () => real);
    const { stream } = lazy.dump('x', ctx);
    for await (const _ of stream) break; // destroys `stream` after the first chunk
    await new Promise((r) => setImmediate(r));
    assert.equal(real.destroyed(), true);
  });

  test('a module that fails to load fails each call, and the dump stream, with that error', async () => {
    const lazy = lazyAdapter(facts, async () => {
      throw new Error('Cannot find package mongodb');
    });
    await assert.rejects(lazy.counts('x', ctx), /Cannot find package mongodb/);
    const { stream, summary } = lazy.dump('x', ctx);
    await assert.rejects(summary, /Cannot find package mongodb/);
    await assert.rejects(text(stream), /Cannot find package mongodb/);
  });

  test('an adapter that does not match its registered facts is an internal error', async () => {
    const lazy = lazyAdapter({ ...facts, compressed: true }, async () => memoryAdapter([]));
    await assert.rejects(lazy.counts('x', ctx), /internal: the mongodb adapter does not match/);
  });
});
