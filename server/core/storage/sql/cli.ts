import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { VolnoError } from '../../../../kit/errors.ts';
import { DB_FILE_NAME, openDatabase } from '../database.ts';
import { listMigrations } from '../migrate.ts';
import { copySqliteToPostgres } from './copy.ts';
import { PostgresSqlDatabase } from './postgres-driver.ts';
import { migratePostgres } from './postgres-migrate.ts';
import { SQL_ENGINES, SqlError, type SqlEngine } from './port.ts';

interface MigrateFlags {
  engine: SqlEngine;
  url?: string;
  data?: string;
}

/** Prints `CODE: message` and its issue lines for a person, then exit code 1. */
function fail(err: unknown): void {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof VolnoError) {
    console.error(`${err.code}: ${err.message}`);
  } else if (typeof code === 'string' && err instanceof Error) {
    // A refused connection or a PostgreSQL error: its code and message say it; a stack would not.
    console.error(`${code}: ${err.message}`);
  } else {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
  process.exitCode = 1;
}

/** A PostgreSQL URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

async function migrateCommand(flags: MigrateFlags): Promise<void> {
  const latest = listMigrations().length;
  if (flags.engine === 'sqlite') {
    const file = flags.url?.replace(/^sqlite:/, '') ?? (flags.data !== undefined ? join(flags.data, DB_FILE_NAME) : '');
    if (file === '') throw new SqlError('VOLNO_DB_URL', 'give the SQLite file (--url) or the data directory (--data)');
    // Opening migrates: the server does the same at start.
    const db = openDatabase(file);
    const version = db.pragma('user_version', { simple: true }) as number;
    db.close();
    console.log(`${file}: schema version ${version} (latest ${latest})`);
    return;
  }
  if (flags.url === undefined) throw new SqlError('VOLNO_DB_URL', 'give the PostgreSQL URL (--url postgres://…)');
  const db = new PostgresSqlDatabase({ url: flags.url, max: 1 });
  try {
    const { from, to } = await migratePostgres(db);
    console.log(`${redactUrl(flags.url)}: schema version ${from} → ${to}`);
  } finally {
    await db.close();
  }
}

/** Registers `volno db migrate` and `volno db copy`. */
export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database schema and moving an installation between engines');

  db.command('migrate')
    .description('apply the numbered schema migrations (the server also does this when it starts)')
    .addOption(new Option('--engine <engine>', 'storage engine').choices(SQL_ENGINES).default('sqlite'))
    .option('--url <url>', 'PostgreSQL URL, or the SQLite file')
    .option('-d, --data <dir>', `SQLite: the data directory holding ${DB_FILE_NAME}`)
    .action(async (flags: MigrateFlags) => {
      try {
        await migrateCommand(flags);
      } catch (err) {
        fail(err);
      }
    });

  db.command('copy')
    .description(
      'move an installation from SQLite to PostgreSQL: migrate the target, copy every table in one transaction, check row counts',
    )
    .requiredOption('--from <file>', 'the SQLite database file (read only; the server may keep running)')
    .requiredOption('--to <url>', 'the PostgreSQL URL, e.g. postgres://volno@db.example/volno')
    .option('--force', 'replace the rows of a target that already has some')
    .action(async (flags: { from: string; to: string; force?: boolean }) => {
      try {
        const report = await copySqliteToPostgres({
          from: flags.from,
          to: flags.to,
          force: flags.force === true,
          log: (line) => console.log(line),
        });
        const rows = report.tables.reduce((n, t) => n + t.rows, 0);
        console.log(
          `copied ${report.tables.length} tables, ${rows} rows, schema version ${report.version}, to ${redactUrl(flags.to)}`,
        );
      } catch (err) {
        fail(err);
      }
    });
}
