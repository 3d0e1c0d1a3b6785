/** Test helper: the schema of an open store as plain data, so two stores' tables, columns and indexes compare equal. */
import { type Kysely, sql } from 'kysely';
import type { StoreDialect } from './database.js';

/** Every table, column and index upkeep created, sorted, with the facts that differ when a migration differs. */
export interface SchemaDump {
  tables: Record<string, { columns: string[]; indexes: string[] }>;
}

/** Reads the schema of a SQLite or PostgreSQL store (any Kysely over it). */
// biome-ignore lint/suspicious/noExplicitAny: reads the catalog, whatever tables the Kysely instance was typed with.
export async function dumpSchema(database: { dialect: StoreDialect; db: Kysely<any> }): Promise<SchemaDump> {
  const rows = database.dialect === 'sqlite' ? await sqliteRows(database.db) : await postgresRows(database.db);
  const tables: SchemaDump['tables'] = {};
  for (const row of rows) {
    const table = tables[row.table] ?? { columns: [], indexes: [] };
    tables[row.table] = table;
    table[row.what].push(row.text);
  }
  for (const table of Object.values(tables)) {
    table.columns.sort();
    table.indexes.sort();
  }
  return { tables: Object.fromEntries(Object.entries(tables).sort(([a], [b]) => a.localeCompare(b))) };
}

interface Row {
  table: string;
  what: 'columns' | 'indexes';
  text: string;
}

async function sqliteRows(db: Kysely<unknown>): Promise<Row[]> {
  const objects = await sql<{ type: string; name: string; tbl_name: string; sql: string | null }>`
    select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_%'`.execute(db);
  const out: Row[] = [];
  for (const o of objects.rows) {
    if (o.type === 'table') {
      const columns = await sql<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>`
        select * from pragma_table_info(${o.name})`.execute(db);
      for (const c of columns.rows) {
        out.push({
          table: o.name,
          what: 'columns',
          text: `${c.name} ${c.type} notnull=${c.notnull} default=${c.dflt_value} pk=${c.pk}`,
        });
      }
      out.push({ table: o.name, what: 'indexes', text: `table: ${o.sql}` });
    } else if (o.type === 'index') {
      out.push({ table: o.tbl_name, what: 'indexes', text: `${o.name}: ${o.sql ?? '(automatic)'}` });
    }
  }
  return out;
}

async function postgresRows(db: Kysely<unknown>): Promise<Row[]> {
  const columns = await sql<{ table_name: string; text: string }>`
    select table_name, concat_ws(' ', column_name, data_type, 'nullable=' || is_nullable, 'default=' || coalesce(column_default, 'none')) as text
    from information_schema.columns where table_schema = current_schema()`.execute(db);
  const indexes = await sql<{ tablename: string; text: string }>`
    select tablename, indexname || ': ' || indexdef as text from pg_indexes where schemaname = current_schema()`.execute(
    db,
  );
  const constraints = await sql<{ table_name: string; text: string }>`
    select conrelid::regclass::text as table_name, conname || ': ' || pg_get_constraintdef(oid) as text
    from pg_constraint where connamespace = current_schema()::regnamespace`.execute(db);
  return [
    ...columns.rows.map((r) => ({ table: r.table_name, what: 'columns' as const, text: r.text })),
    ...indexes.rows.map((r) => ({ table: r.tablename, what: 'indexes' as const, text: r.text })),
    ...constraints.rows.map((r) => ({ table: r.table_name, what: 'indexes' as const, text: `constraint ${r.text}` })),
  ];
}
