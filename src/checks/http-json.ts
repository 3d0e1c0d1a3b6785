/** Keeps only the parts of a large JSON body that an http check's expectations read, so facts stay small. */
import type { HttpSpec } from './http.js';

type Shape = true | { [key: string]: Shape } | { '[]': Shape };

function merge(a: Shape | undefined, b: Shape): Shape {
  if (a === undefined || a === true) return b;
  if (b === true) return a;
  const out: Record<string, Shape> = { ...(a as Record<string, Shape>) };
  for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
  return out as Shape;
}

/** The shape of an expected subset: which keys it reads, and under arrays what each element reads. */
function shapeOf(expected: unknown): Shape {
  if (Array.isArray(expected)) {
    let element: Shape | undefined;
    for (const item of expected) element = merge(element, shapeOf(item));
    return { '[]': element ?? true };
  }
  if (expected !== null && typeof expected === 'object') {
    const out: Record<string, Shape> = {};
    for (const [k, v] of Object.entries(expected)) out[k] = shapeOf(v);
    return out as Shape;
  }
  return true;
}

function shapeOfPath(path: string): Shape {
  return path
    .split('.')
    .reverse()
    .reduce<Shape>((inner, step) => ({ [step]: inner }) as Shape, true);
}

function project(value: unknown, shape: Shape): unknown {
  if (shape === true || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const element = (shape as { '[]'?: Shape })['[]'];
    if (element !== undefined) return value.map((item) => project(item, element));
    // A dotted path indexes the array (`items.0.x`): keep the indexed elements in place.
    const indices = Object.keys(shape)
      .filter((k) => /^\d+$/.test(k) && Number(k) < value.length)
      .map(Number);
    // null, not holes: facts are JSON, and a hole would serialise as null anyway.
    const out: unknown[] = Array.from({ length: Math.max(-1, ...indices) + 1 }, () => null);
    for (const i of indices) out[i] = project(value[i], (shape as Record<string, Shape>)[String(i)] as Shape);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(shape)) {
    if (Object.hasOwn(value, k)) out[k] = project((value as Record<string, unknown>)[k], v);
  }
  return out;
}

/** The projection of `json` onto every key the spec's body subset, metrics and heapGrowth read. */
export function pickForSpec(json: unknown, spec: HttpSpec): unknown {
  let shape: Shape | undefined;
  if (spec.expect.body !== undefined) shape = merge(shape, shapeOf(spec.expect.body));
  for (const metric of spec.expect.metrics ?? []) shape = merge(shape, shapeOfPath(metric.path));
  if (spec.expect.heapGrowth) shape = merge(shape, shapeOfPath(spec.expect.heapGrowth.path));
  return shape === undefined ? null : project(json, shape);
}
