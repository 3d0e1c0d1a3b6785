/** Quantities as apps report them and plans write them: `0.50%`, `45MB`, `120ms`, `2s`, `1.5k`, `42`. */

/** What a number measures; comparing a percent with bytes is a plan mistake worth reporting. */
export type Dimension = 'number' | 'percent' | 'bytes' | 'duration';

/** A parsed quantity: the value in its base unit (percent points, bytes, ms) and what it measures. */
export interface Quantity {
  value: number;
  dimension: Dimension;
}

// Binary multiples: Node's own tools (and the health endpoints in the seeds) divide heap sizes by 1024.
const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  sec: 1_000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const COUNT_UNITS: Record<string, number> = { k: 1e3, m: 1e6 };

const QUANTITY_RE = /^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)\s*([a-z%]*)\s*$/i;

/** Parses `0.50%` → 0.5 percent, `45MB` → 47185920 bytes, `120ms` → 120 ms, `42` → 42; undefined when not a quantity. */
export function parseQuantity(input: unknown): Quantity | undefined {
  if (typeof input === 'number') return Number.isFinite(input) ? { value: input, dimension: 'number' } : undefined;
  if (typeof input !== 'string') return undefined;
  const match = QUANTITY_RE.exec(input.replaceAll(',', ''));
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase();
  if (!Number.isFinite(value)) return undefined;
  if (unit === '') return { value, dimension: 'number' };
  if (unit === '%') return { value, dimension: 'percent' };
  const bytes = BYTE_UNITS[unit];
  if (bytes !== undefined) return { value: value * bytes, dimension: 'bytes' };
  const ms = DURATION_UNITS[unit];
  if (ms !== undefined) return { value: value * ms, dimension: 'duration' };
  // `1.5k` requests; `m` alone already means minutes above, so only `k` is a count suffix in practice.
  const count = COUNT_UNITS[unit];
  if (count !== undefined) return { value: value * count, dimension: 'number' };
  return undefined;
}

/** Parses a size such as `1MB` or `65536` into bytes; undefined when it is not a non-negative size. */
export function parseSize(input: unknown): number | undefined {
  const quantity = parseQuantity(input);
  if (!quantity || quantity.value < 0) return undefined;
  if (quantity.dimension !== 'bytes' && quantity.dimension !== 'number') return undefined;
  return Math.floor(quantity.value);
}

/** Parses a duration such as `500ms` or `2s` (or a bare number of ms) into milliseconds; undefined otherwise. */
export function parseMs(input: unknown): number | undefined {
  const quantity = parseQuantity(input);
  if (!quantity || quantity.value < 0) return undefined;
  if (quantity.dimension !== 'duration' && quantity.dimension !== 'number') return undefined;
  return quantity.value;
}

/** Formats a value of a dimension for people: `0.5%`, `45MB`, `1.2s`, `42`. */
export function formatQuantity(value: number, dimension: Dimension): string {
  const round = (n: number) => String(Math.round(n * 100) / 100);
  switch (dimension) {
    case 'percent':
      return `${round(value)}%`;
    case 'duration':
      return value < 1000 ? `${Math.round(value)}ms` : `${round(value / 1000)}s`;
    case 'bytes': {
      for (const [unit, size] of [
        ['GB', 1024 ** 3],
        ['MB', 1024 ** 2],
        ['KB', 1024],
      ] as const) {
        if (Math.abs(value) >= size) return `${round(value / size)}${unit}`;
      }
      return `${round(value)}B`;
    }
    default:
      return round(value);
  }
}
