import type { Database } from 'better-sqlite3';
import type { SqlExecutor } from './port.ts';

/** One table as both engines describe it, in the terms `volno db copy` and the schema tests compare. */
export interface TableShape {
  name: string;
  /** In declaration order (ALTER TABLE ADD COLUMN appends on both engines). */
  columns: Array<{ name: string; type: string; notNull: boolean; default: string | null }>;
  primaryKey: string[];
  foreignKeys: Array<{ column: string; table: string; refColumn: string; onDelete: string }>;
}

/** The engine-neutral column type: SQLite's declared type, PostgreSQL's mapped back to it. */
const FROM_POSTGRES: Record<string, string> = {
  bigint: 'INTEGER',
  'double precision': 'REAL',
  text: 'TEXT',
  bytea: 'BLOB',
};

/** SQLite's user tables, by name. */
export function sqliteTables(db: Database): TableShape[] {
  const names = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .pluck()
    .all() as string[];
  return names.map((name) => {
    const info = db.pragma(`table_info(${quote(name)})`) as Array<{
      name: string;
      type: string;
      notnull: number;
      dflt_value: string | null;
      pk: number;
    }>;
    const fks = db.pragma(`foreign_key_list(${quote(name)})`) as Array<{
      table: string;
      from: string;
      to: string;
      on_delete: string;
    }>;
    return {
      name,
      columns: info.map((c) => ({
        name: c.name,
        type: c.type.toUpperCase(),
        // A primary key column is never NULL in practice (and always NOT NULL on PostgreSQL).
        notNull: c.notnull === 1 || c.pk > 0,
        default: c.dflt_value,
      })),
      primaryKey: info
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name),
      foreignKeys: fks.map((f) => ({ column: f.from, table: f.table, refColumn: f.to, onDelete: f.on_delete })),
    };
  });
}

/** PostgreSQL's tables in the current schema, by name, except `skip` (the migrations' own table). */
export async function postgresTables(db: SqlExecutor, skip: readonly string[] = []): Promise<TableShape[]> {
  const cols = await db.all<{ t: string; c: string; type: string; nullable: string; dflt: string | null }>(
    `SELECT table_name AS t, column_name AS c, data_type AS type, is_nullable AS nullable, column_default AS dflt
       FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  const pks = await db.all<{ t: string; c: string }>(
    `SELECT cl.relname AS t, a.attname AS c
       FROM pg_index i JOIN pg_class cl ON cl.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = cl.relnamespace AND n.nspname = current_schema()
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, pos)
       JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum = k.attnum
      WHERE i.indisprimary ORDER BY cl.relname, k.pos`,
  );
  const fks = await db.all<{ t: string; c: string; ref: string; rc: string; del: string }>(
    `SELECT cl.relname AS t, a.attname AS c, rcl.relname AS ref, ra.attname AS rc, co.confdeltype AS del
       FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
       JOIN pg_namespace n ON n.oid = cl.relnamespace AND n.nspname = current_schema()
       JOIN pg_class rcl ON rcl.oid = co.confrelid
       CROSS JOIN LATERAL unnest(co.conkey, co.confkey) WITH ORDINALITY AS k(col, refcol, pos)
       JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.col
       JOIN pg_attribute ra ON ra.attrelid = co.confrelid AND ra.attnum = k.refcol
      WHERE co.contype = 'f' ORDER BY cl.relname, co.conname, k.pos`,
  );
  const onDelete: Record<string, string> = {
    a: 'NO ACTION',
    r: 'RESTRICT',
    c: 'CASCADE',
    n: 'SET NULL',
    d: 'SET DEFAULT',
  };
  const names = [...new Set(cols.map((c) => c.t))].filter((t) => !skip.includes(t)).sort();
  return names.map((name) => ({
    name,
    columns: cols
      .filter((c) => c.t === name)
      .map((c) => ({
        name: c.c,
        type: FROM_POSTGRES[c.type] ?? c.type,
        notNull: c.nullable === 'NO',
        // `'cs'::text` → `'cs'`, as SQLite reports the default's text.
        default: c.dflt === null ? null : c.dflt.replace(/::[a-z ]+$/, ''),
      })),
    primaryKey: pks.filter((p) => p.t === name).map((p) => p.c),
    foreignKeys: fks
      .filter((f) => f.t === name)
      .map((f) => ({ column: f.c, table: f.ref, refColumn: f.rc, onDelete: onDelete[f.del] ?? f.del })),
  }));
}

/**
 * Tables ordered so that every table comes after the tables it references: the order to insert
 * them in. Throws on a reference cycle, which the schema does not have and a copy could not order.
 */
export function dependencyOrder(tables: readonly TableShape[]): TableShape[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: TableShape[] = [];
  const visit = (t: TableShape) => {
    if (done.has(t.name)) return;
    if (visiting.has(t.name)) throw new Error(`foreign keys form a cycle through ${t.name}`);
    visiting.add(t.name);
    for (const fk of t.foreignKeys) {
      const ref = byName.get(fk.table);
      if (ref !== undefined && ref !== t) visit(ref);
    }
    visiting.delete(t.name);
    done.add(t.name);
    out.push(t);
  };
  [...tables].sort((a, b) => a.name.localeCompare(b.name)).forEach(visit);
  return out;
}

/** A double-quoted identifier, valid on both engines. */
export function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
