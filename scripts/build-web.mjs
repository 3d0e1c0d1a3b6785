// Builds the dashboard (web/: Preact + uPlot, TypeScript) with Vite's JS API into <outdir>/web/: index.html and
// hashed assets under assets/, which upkeep serves with a year of caching. No CDN and nothing fetched at run time.
// Asset links are relative ('./assets/...'); the server makes them absolute under its base path when it serves
// index.html, so one build works at / and under /upkeep/.
import { join } from 'node:path';
import { build } from 'vite';

/** Builds web/ into `outDir`; returns the number of files written. */
export async function buildWeb(root, outDir) {
  const result = await build({
    root: join(root, 'web'),
    base: './',
    configFile: false,
    logLevel: 'warn',
    // Preact's JSX through Vite's own transformer (no plugin needed).
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      reportCompressedSize: false,
      // A tiny module-preload polyfill would be an inline script; every browser we target has modulepreload.
      modulePreload: { polyfill: false },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  return outputs.reduce((n, r) => n + (r.output?.length ?? 0), 0);
}
