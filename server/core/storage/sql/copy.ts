import BetterSqlite3, { type Database } from 'better-sqlite3';
import { listMigrations } from '../migrate.ts';
import { dependencyOrder, postgresTables, quote, sqliteTables, type TableShape } from './introspect.ts';
import { PostgresSqlDatabase } from './postgres-driver.ts';
import { migratePostgres, SCHEMA_TABLE } from './postgres-migrate.ts';
import { SqlError, sqlErrorKind, type SqlExecutor } from './port.ts';

export interface CopyOptions {
  /** The SQLite database file to read; opened read-only, so a running server may keep writing it. */
  from: string;
  /** The PostgreSQL URL to write; migrated first. */
  to: string;
  /** Replace the rows of a target that already has some (otherwise refused). */
  force?: boolean;
  log?: (line: string) => void;
}

export interface CopyReport {
  version: number;
  tables: Array<{ name: string; rows: number }>;
}

/** PostgreSQL takes at most 65,535 parameters per statement; 1,000 rows keep statements reasonable. */
const MAX_PARAMS = 65_535;
const MAX_ROWS = 1_000;

/**
 * Moves an installation from SQLite to PostgreSQL: migrates the target to the source's schema
 * version, then copies every table in foreign-key order inside one PostgreSQL transaction, so the
 * target ends up with all of it or none. The source is read in one read transaction (a consistent
 * snapshot under WAL, even while a server writes). Identity sequences restart after the copied ids,
 * and each table's row count is checked against the source before the commit.
 */
export async function copySqliteToPostgres(opts: CopyOptions): Promise<CopyReport> {
  const log = opts.log ?? (() => {});
  let source: Database;
  try {
    source = new BetterSqlite3(opts.from, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw new SqlError('VOLNO_DB_COPY', `cannot open ${opts.from}: ${(cause as Error).message}`, [], { cause });
  }
  const target = new PostgresSqlDatabase({ url: opts.to, max: 2 });
  try {
    const version = source.pragma('user_version', { simple: true }) as number;
    const latest = listMigrations().at(-1)?.version ?? 0;
    if (version !== latest)
      throw new SqlError(
        'VOLNO_DB_COPY',
        `${opts.from} is at schema version ${version}, this server's is ${latest}: ` +
          (version < latest ? 'run `volno db migrate` on it first' : 'upgrade the server first'),
      );
    const migrated = await migratePostgres(target);
    if (migrated.to !== version)
      throw new SqlError('VOLNO_DB_COPY', `the target is at version ${migrated.to}, the source at ${version}`);

    const tables = dependencyOrder(sqliteTables(source));
    checkShapes(tables, await postgresTables(target, [SCHEMA_TABLE]));
    const filled = [];
    for (const t of tables)
      if ((await target.one(`SELECT 1 AS one FROM ${quote(t.name)} LIMIT 1`)) !== undefined) filled.push(t.name);
    if (filled.length > 0 && opts.force !== true)
      throw new SqlError(
        'VOLNO_DB_COPY',
        `the target already holds rows (${filled.join(', ')}); pass --force to replace them`,
      );

    source.exec('BEGIN');
    try {
      const report = await target.transaction(async (tx) => {
        if (filled.length > 0) {
          await tx.exec(`TRUNCATE ${tables.map((t) => quote(t.name)).join(', ')} RESTART IDENTITY CASCADE`);
          log(`emptied ${filled.length} tables of the target (--force)`);
        }
        const copied = [];
        for (const t of tables) {
          const rows = await copyTable(source, tx, t);
          log(`${t.name}: ${rows} rows`);
          copied.push({ name: t.name, rows });
        }
        return copied;
      });
      return { version, tables: report };
    } finally {
      source.exec('COMMIT');
    }
  } finally {
    source.close();
    await target.close();
  }
}

async function copyTable(source: Database, tx: SqlExecutor, t: TableShape): Promise<number> {
  const cols = t.columns.map((c) => quote(c.name));
  const expected = source
    .prepare(`SELECT count(*) FROM ${quote(t.name)}`)
    .pluck()
    .get() as number;
  const perStatement = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / cols.length)));
  // Integers as BigInt: nothing is rounded on the way, whatever its size.
  const read = source
    .prepare(`SELECT ${cols.join(', ')} FROM ${quote(t.name)}`)
    .raw(true)
    .safeIntegers(true);
  let batch: unknown[][] = [];
  let copied = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const values = batch.map((_, r) => `(${cols.map((__, c) => `$${r * cols.length + c + 1}`).join(', ')})`);
    try {
      await tx.run(`INSERT INTO ${quote(t.name)} (${cols.join(', ')}) VALUES ${values.join(', ')}`, batch.flat());
    } catch (cause) {
      const hint =
        sqlErrorKind(cause) === 'exclusion'
          ? ' (two bookings of one slot overlap in the source; cancel one of them and copy again)'
          : '';
      throw new SqlError('VOLNO_DB_COPY', `copying ${t.name} failed: ${(cause as Error).message}${hint}`, [], {
        cause,
      });
    }
    copied += batch.length;
    batch = [];
  };
  // The iterator holds the SQLite statement between batches; nothing else reads the source meanwhile.
  for (const row of read.iterate() as IterableIterator<unknown[]>) {
    batch.push(row);
    if (batch.length >= perStatement) await flush();
  }
  await flush();

  const identity = await tx.all<{ c: string }>(
    `SELECT column_name AS c FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'`,
    [t.name],
  );
  for (const { c } of identity)
    // Empty table: the next id is 1; otherwise the one after the largest copied id.
    await tx.one(
      `SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(${quote(c)}), 1), max(${quote(c)}) IS NOT NULL)
         FROM ${quote(t.name)}`,
      [quote(t.name), c],
    );
  const landed = (await tx.one<{ n: number }>(`SELECT count(*) AS n FROM ${quote(t.name)}`))?.n ?? 0;
  if (landed !== expected || copied !== expected)
    throw new SqlError('VOLNO_DB_COPY', `${t.name}: the source has ${expected} rows, the target got ${landed}`);
  return landed;
}

/** The two schemas must have the same tables and columns; a difference is a migration bug, not data. */
function checkShapes(source: readonly TableShape[], target: readonly TableShape[]): void {
  const issues: string[] = [];
  const byName = new Map(target.map((t) => [t.name, t]));
  for (const s of source) {
    const t = byName.get(s.name);
    if (t === undefined) {
      issues.push(`${s.name}: missing in the target`);
      continue;
    }
    const missing = s.columns.filter((c) => !t.columns.some((d) => d.name === c.name)).map((c) => c.name);
    if (missing.length > 0) issues.push(`${s.name}: the target lacks ${missing.join(', ')}`);
  }
  for (const t of target)
    if (!source.some((s) => s.name === t.name)) issues.push(`${t.name}: only in the target, would stay empty`);
  if (issues.length > 0) throw new SqlError('VOLNO_DB_COPY', 'the two schemas differ', issues);
}
