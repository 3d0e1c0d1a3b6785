/** Zod pieces the read API's routes share for params and queries (one source for validation and OpenAPI). */
import { z } from 'zod';

/** `:app/:name` of a unit. */
export const unitIdParams = z.object({ app: z.string().min(1).max(200), name: z.string().min(1).max(200) });

/** A page size: 1 to `max`, `fallback` when absent (a number out of range is clamped, as before the schemas). */
export const limitQuery = (fallback: number, max = 1000) =>
  z.coerce
    .number()
    .int()
    .optional()
    .transform((n) => (n === undefined ? fallback : Math.min(max, Math.max(1, n))))
    .describe(`How many (1-${max}, default ${fallback}).`);

/** A time in ms since epoch. */
export const msQuery = z.coerce.number().int().describe('ms since epoch');
