/**
 * `upkeep restore --only a,b`: which of the archive's tables (PostgreSQL, `schema.table`) or collections (MongoDB) are
 * meant. Pure: the names come from the archive, and a name it does not hold is a usage error listing what it holds.
 */
import { UsageError } from '../cli/command.js';

/** The archive's names `--only` selects (a bare table name works when one schema has it). */
export function selectOnly(raw: string, engine: 'postgres' | 'mongodb', names: readonly string[]): string[] {
  const wanted = raw
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (wanted.length === 0)
    throw new UsageError('--only needs at least one table or collection name, e.g. --only orders');
  const things = engine === 'mongodb' ? 'collections' : 'tables';
  const listing = names.length > 0 ? [...names].sort().join(', ') : `no ${things}`;
  const selected: string[] = [];
  for (const name of wanted) {
    const matches = names.includes(name)
      ? [name]
      : engine === 'postgres'
        ? names.filter((n) => tableOf(n) === name)
        : [];
    if (matches.length === 0) {
      throw new UsageError(`--only ${name}: the backup holds no such ${things.slice(0, -1)}; it holds ${listing}`);
    }
    if (matches.length > 1) {
      throw new UsageError(`--only ${name} is in several schemas (${matches.join(', ')}): write schema.table`);
    }
    if (!selected.includes(matches[0] as string)) selected.push(matches[0] as string);
  }
  if (engine === 'postgres') checkPgSelection(selected, names);
  return selected;
}

/**
 * pg_restore selects by schema (-n) and by table name (-t) separately, so `a.x,b.y` would also restore `a.y` and
 * `b.x`: refused when the archive holds such a table, rather than restoring more than was asked.
 */
function checkPgSelection(selected: string[], names: readonly string[]): void {
  const schemas = new Set(selected.map(schemaOf));
  const tables = new Set(selected.map(tableOf));
  const extra = names.filter((n) => !selected.includes(n) && schemas.has(schemaOf(n)) && tables.has(tableOf(n)));
  if (extra.length > 0) {
    throw new UsageError(
      `--only ${selected.join(',')} would also restore ${extra.join(', ')} (pg_restore selects schemas and table names ` +
        'separately): restore the tables of one schema at a time',
    );
  }
}

/** `public` of `public.orders`. */
export function schemaOf(key: string): string {
  return key.slice(0, key.indexOf('.'));
}

/** `orders` of `public.orders`. */
export function tableOf(key: string): string {
  return key.slice(key.indexOf('.') + 1);
}

/** The entries of `counts` whose names are in `only` (all without it). Pure. */
export function pick(counts: Record<string, number>, only: readonly string[] | undefined): Record<string, number> {
  if (only === undefined) return counts;
  return Object.fromEntries(Object.entries(counts).filter(([name]) => only.includes(name)));
}
