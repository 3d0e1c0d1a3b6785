/**
 * An adapter whose module is imported on first use. The MongoDB driver costs ~200 ms and ~25 MB to load, which every
 * `upkeep` command and every plan without MongoDB would otherwise pay.
 */
import { PassThrough, pipeline } from 'node:stream';
import type { DatabaseAdapter } from './adapter.js';

/** The adapter's constant facts, known without loading it. */
export type AdapterFacts = Pick<DatabaseAdapter, 'engine' | 'format' | 'compressed'>;

/** `facts` now, everything else from the adapter `load` resolves to (loaded once). */
export function lazyAdapter(facts: AdapterFacts, load: () => Promise<DatabaseAdapter>): DatabaseAdapter {
  let loading: Promise<DatabaseAdapter> | undefined;
  const adapter = () => {
    loading ??= load().then((real) => {
      if (real.engine !== facts.engine || real.format !== facts.format || real.compressed !== facts.compressed) {
        throw new Error(`internal: the ${facts.engine} adapter does not match the facts it was registered with`);
      }
      return real;
    });
    return loading;
  };
  return {
    ...facts,
    preflight: async (url, ctx) => (await adapter()).preflight(url, ctx),
    dump(url, ctx) {
      // The stream must exist now; the real dump is piped into it once the module is loaded. pipeline() carries an
      // error of the source to the consumer, and a consumer that stops early destroys the source.
      const out = new PassThrough({ highWaterMark: 0 });
      const summary = adapter().then((real) => {
        const dump = real.dump(url, ctx);
        pipeline(dump.stream, out, () => undefined);
        return dump.summary;
      });
      summary.catch((err: unknown) => out.destroy(err as Error));
      return { stream: out, summary };
    },
    inspect: async (plaintext, ctx) => (await adapter()).inspect(plaintext, ctx),
    restore: async (plaintext, url, ctx, options) => (await adapter()).restore(plaintext, url, ctx, options),
    counts: async (url, ctx) => (await adapter()).counts(url, ctx),
    isEmpty: async (url, ctx) => (await adapter()).isEmpty(url, ctx),
    scratch: async (serverUrl, ctx) => (await adapter()).scratch(serverUrl, ctx),
  };
}
