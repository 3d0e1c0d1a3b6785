/** JSON-subset matching (every key/value the plan gives must be in the body) and dotted-path reads. */

/** Reads `a.b.0.c` from a parsed JSON value; undefined when any step is missing. Array steps are indices. */
export function readPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const step of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(step)) return undefined;
      current = current[Number(step)];
    } else {
      if (!Object.hasOwn(current, step)) return undefined;
      current = (current as Record<string, unknown>)[step];
    }
  }
  return current;
}

/** One place the body differs from the expected subset. */
export interface SubsetMismatch {
  /** Dotted path of the differing value (`$` for the root). */
  path: string;
  expected: unknown;
  /** What the body had there; undefined when the key is missing. */
  actual: unknown;
}

function join(path: string, key: string | number): string {
  return path === '$' ? String(key) : `${path}.${key}`;
}

// YAML `status: 200` and JSON `"200"` are the same to a person reading a health page; numbers and their string forms
// match, and so do booleans. Everything else compares strictly.
function scalarsEqual(expected: unknown, actual: unknown): boolean {
  if (expected === actual) return true;
  if (typeof expected === 'number' && typeof actual === 'string')
    return actual.trim() !== '' && Number(actual) === expected;
  if (typeof expected === 'string' && typeof actual === 'number')
    return expected.trim() !== '' && Number(expected) === actual;
  if (typeof expected === 'boolean' && typeof actual === 'string') return String(expected) === actual;
  return false;
}

/**
 * Lists where `actual` fails to contain `expected` (at most `limit`). Objects: every expected key must match.
 * Arrays: every expected element must match some distinct element of the actual array (order-free subset).
 */
export function subsetMismatches(expected: unknown, actual: unknown, path = '$', limit = 5): SubsetMismatch[] {
  const out: SubsetMismatch[] = [];
  collect(expected, actual, path, out, limit);
  return out;
}

function collect(expected: unknown, actual: unknown, path: string, out: SubsetMismatch[], limit: number): void {
  if (out.length >= limit) return;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      out.push({ path, expected, actual });
      return;
    }
    const used = new Set<number>();
    expected.forEach((item, index) => {
      const match = actual.findIndex(
        (candidate, i) => !used.has(i) && subsetMismatches(item, candidate, path, 1).length === 0,
      );
      if (match === -1) out.push({ path: join(path, index), expected: item, actual: undefined });
      else used.add(match);
    });
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      out.push({ path, expected, actual });
      return;
    }
    for (const [key, value] of Object.entries(expected)) {
      const next = join(path, key);
      if (!Object.hasOwn(actual, key)) out.push({ path: next, expected: value, actual: undefined });
      else collect(value, (actual as Record<string, unknown>)[key], next, out, limit);
      if (out.length >= limit) return;
    }
    return;
  }
  if (!scalarsEqual(expected, actual)) out.push({ path, expected, actual });
}

/** One line for a mismatch: `database: expected "connected", got "down"` or `status: missing`. */
export function formatMismatch(mismatch: SubsetMismatch): string {
  const show = (v: unknown) => {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  };
  if (mismatch.actual === undefined) return `${mismatch.path}: missing (expected ${show(mismatch.expected)})`;
  return `${mismatch.path}: expected ${show(mismatch.expected)}, got ${show(mismatch.actual)}`;
}
