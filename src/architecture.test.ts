/**
 * The layout's rules, read from the import graph of src/ (see docs/architecture.md): layers run one way and no
 * module waits on itself at load time. A new import that breaks a rule fails here, naming the edge.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = dirname(fileURLToPath(import.meta.url));

interface Edge {
  from: string;
  to: string;
  /** `import type` / `export type`: erased when compiled, so it cannot take part in a load-time cycle. */
  typeOnly: boolean;
}

interface Graph {
  files: string[];
  edges: Edge[];
  /** Files that import a package directly (by name, e.g. `kysely`). */
  packages: Map<string, Set<string>>;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
const DYNAMIC = /import\(\s*['"]([^'"]+)['"]\s*\)/g;

function walk(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.name.endsWith('.ts')) out.push(relative(SRC, path).split('\\').join('/'));
  }
  return out;
}

function resolveSpec(from: string, spec: string): string {
  return normalize(join(dirname(from), spec))
    .split('\\')
    .join('/')
    .replace(/\.js$/, '.ts');
}

/** Reads every relative import of every file under src/ (tests included: they import production modules). */
function readGraph(): Graph {
  const files = walk(SRC, []);
  const edges: Edge[] = [];
  const packages = new Map<string, Set<string>>();
  for (const file of files) {
    const text = readFileSync(join(SRC, file), 'utf8');
    const add = (spec: string, typeOnly: boolean) => {
      if (spec.startsWith('.')) edges.push({ from: file, to: resolveSpec(file, spec), typeOnly });
      else packages.set(file, (packages.get(file) ?? new Set()).add(spec));
    };
    for (const m of text.matchAll(IMPORT)) add(m[2] as string, m[1] !== undefined);
    for (const m of text.matchAll(DYNAMIC)) add(m[1] as string, false);
  }
  return { files, edges, packages };
}

const graph = readGraph();
const production = (file: string) => !/\.test\.ts$|\.contract\.ts$|(^|\/)test-[^/]*\.ts$/.test(file);
const folder = (file: string) => (file.includes('/') ? (file.split('/')[0] as string) : file);
const show = (edges: Edge[]) => edges.map((e) => `${e.from} -> ${e.to}`).join('\n');

/** The registries: the one place each capability plugs in, so they alone may import every capability. */
const REGISTRIES = new Set(['checks/registry.ts', 'store/migrations/index.ts', 'web/routes.ts', 'cli/main.ts']);
/** Capability folders: each owns its tables, store, logic, routes and command. */
const CAPABILITIES = new Set(['runs', 'heartbeats', 'notify', 'backups', 'databases', 'jobs']);

function importsFrom(rule: (e: Edge) => boolean): Edge[] {
  return graph.edges.filter((e) => production(e.from) && !REGISTRIES.has(e.from) && rule(e));
}

/** Every production file reachable from `start` through load-time (value) imports. */
function reachable(start: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const e of graph.edges) if (e.from === file && !e.typeOnly) todo.push(e.to);
  }
  return seen;
}

/** Store code: the database seam, a capability's queries or tables, or anything that speaks Kysely or SQL drivers. */
function isStoreCode(file: string): boolean {
  const pkgs = graph.packages.get(file) ?? new Set();
  return file.startsWith('store/') || ['kysely', 'better-sqlite3', 'pg'].some((p) => pkgs.has(p));
}

describe('architecture', () => {
  it('reads the import graph (the rules below are not vacuous)', () => {
    assert.ok(graph.files.length > 100, `only ${graph.files.length} files found under ${SRC}`);
    assert.ok(graph.edges.some((e) => e.from === 'app.ts' && e.to === 'runs/kysely-store.ts'));
    assert.ok(graph.edges.some((e) => e.from === 'cli/main.ts' && e.to === 'heartbeats/exec-command.ts'));
    for (const e of graph.edges) {
      if (!e.to.startsWith('../')) assert.ok(graph.files.includes(e.to), `${e.from} imports missing ${e.to}`);
    }
  });

  it('has no load-time import cycle', () => {
    const next = new Map<string, string[]>();
    for (const e of graph.edges) if (!e.typeOnly) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const to of next.get(file) ?? []) visit(to, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.files) visit(file, []);
    assert.deepEqual(cycles, []);
  });

  it('core imports nothing else of the project', () => {
    const bad = importsFrom((e) => e.from.startsWith('core/') && !e.to.startsWith('core/'));
    assert.equal(show(bad), '');
  });

  it('the plan is pure data: nothing it loads is store code', () => {
    const plan = graph.files.filter((f) => f.startsWith('plan/') && production(f));
    const store = [...reachable(plan)].filter(isStoreCode);
    assert.deepEqual(store, []);
  });

  it('alerts take no words from checks or capabilities', () => {
    const bad = importsFrom(
      (e) => e.from.startsWith('alerts/') && (e.to.startsWith('checks/') || CAPABILITIES.has(folder(e.to))),
    );
    assert.equal(show(bad), '');
  });

  it('a check kind imports no capability and no store', () => {
    const bad = importsFrom(
      (e) => e.from.startsWith('checks/') && (CAPABILITIES.has(folder(e.to)) || e.to.startsWith('store/')),
    );
    assert.equal(show(bad), '');
  });

  it('probes never touch the store or the notifier: nothing a registered kind loads is store or notify code', () => {
    const kinds = graph.edges.filter((e) => e.from === 'checks/registry.ts' && !e.typeOnly).map((e) => e.to);
    assert.ok(kinds.includes('heartbeats/heartbeat-kind.ts'), 'the heartbeat capability registers its kind');
    const bad = [...reachable(kinds)].filter((f) => isStoreCode(f) || f.startsWith('notify/'));
    assert.deepEqual(bad, []);
  });

  it('the store is the database seam: it imports no capability (but its migration index)', () => {
    const bad = importsFrom((e) => e.from.startsWith('store/') && CAPABILITIES.has(folder(e.to)));
    assert.equal(show(bad), '');
  });
});
