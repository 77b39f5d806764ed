import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { VolnoError } from '../../../../kit/errors.ts';
import { storageTarget, type StorageConfig } from '../config.ts';
import { DB_FILE_NAME, openDatabase } from '../database.ts';
import { listMigrations } from '../migrate.ts';
import { copySqliteToPostgres } from './copy.ts';
import { PostgresSqlDatabase } from './postgres-driver.ts';
import { migratePostgres } from './postgres-migrate.ts';
import type { StorageTarget } from './open.ts';
import { SQL_ENGINES, SqlError, type SqlEngine } from './port.ts';

/**
 * Reads the server config as `volno server` would (server/main passes its loader in, so the kernel
 * does not import the composition root): a config file and a data directory that overrides data_dir.
 */
export type LoadStorageConfig = (
  file: string | undefined,
  dataDir: string | undefined,
) => { data_dir: string; storage: StorageConfig };

interface ConfigFlags {
  config?: string;
  data?: string;
}

interface MigrateFlags extends ConfigFlags {
  engine?: SqlEngine;
  url?: string;
}

interface CopyFlags extends ConfigFlags {
  from?: string;
  to?: string;
  force?: boolean;
}

/** Prints `CODE: message` and its issue lines for a person, then exit code 2 (bad config) or 1. */
function fail(err: unknown): void {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof VolnoError) {
    console.error(`${err.code}: ${err.message.split('\n')[0]}`);
    for (const line of err.issues) console.error(`  ${line}`);
    process.exitCode = err.code.startsWith('VOLNO_CONFIG') ? 2 : 1;
    return;
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

/**
 * What `migrate` works on: `--engine`/`--url` name a database outright (a URL's scheme picks the
 * engine); without them, the server config's `storage` section, as `volno server` would open it.
 */
function migrateTarget(flags: MigrateFlags, load: LoadStorageConfig): StorageTarget {
  if (flags.engine === undefined && flags.url === undefined) return storageTarget(load(flags.config, flags.data));
  const engine = flags.engine ?? (/^postgres(ql)?:/.test(flags.url ?? '') ? 'postgres' : 'sqlite');
  if (engine === 'postgres') {
    if (flags.url === undefined) throw new SqlError('VOLNO_DB_URL', 'give the PostgreSQL URL (--url postgres://…)');
    return { engine, url: flags.url };
  }
  const file = flags.url?.replace(/^sqlite:/, '') ?? (flags.data !== undefined ? join(flags.data, DB_FILE_NAME) : '');
  if (file === '') throw new SqlError('VOLNO_DB_URL', 'give the SQLite file (--url) or the data directory (--data)');
  return { engine, path: file };
}

async function migrateCommand(flags: MigrateFlags, load: LoadStorageConfig): Promise<void> {
  const latest = listMigrations().length;
  const target = migrateTarget(flags, load);
  if (target.engine === 'sqlite') {
    // Opening migrates: the server does the same at start.
    const db = openDatabase(target.path);
    const version = db.pragma('user_version', { simple: true }) as number;
    db.close();
    console.log(`${target.path}: schema version ${version} (latest ${latest})`);
    return;
  }
  const db = new PostgresSqlDatabase({ url: target.url, max: 1 });
  try {
    const { from, to } = await migratePostgres(db);
    console.log(`${redactUrl(target.url)}: schema version ${from} → ${to}`);
  } finally {
    await db.close();
  }
}

/**
 * Source and target of `copy`: flags win; what they leave out comes from the config, so after
 * setting `storage: { engine: postgres, url: … }` the move is `volno db copy --config FILE` and the
 * password stays in the config's environment placeholder, off the command line.
 */
function copyEnds(flags: CopyFlags, load: LoadStorageConfig): { from: string; to: string } {
  if (flags.from !== undefined && flags.to !== undefined) return { from: flags.from, to: flags.to };
  const config = load(flags.config, flags.data);
  const from = flags.from ?? join(config.data_dir, DB_FILE_NAME);
  if (flags.to !== undefined) return { from, to: flags.to };
  const target = storageTarget(config);
  if (target.engine !== 'postgres')
    throw new SqlError(
      'VOLNO_DB_URL',
      "the config's storage engine is sqlite: give --to postgres://…, or set storage.engine postgres and storage.url",
    );
  return { from, to: target.url };
}

/** Registers `volno db migrate` and `volno db copy`. */
export function registerDbCommands(program: Command, load: LoadStorageConfig): void {
  const db = program.command('db').description('database schema and moving an installation between engines');

  db.command('migrate')
    .description(
      "apply the numbered schema migrations to the config's storage, or to --url (the server also does this when it starts)",
    )
    .option('-c, --config <file>', 'server config file, to find storage and data_dir')
    .option('-d, --data <dir>', `data directory holding ${DB_FILE_NAME} (overrides data_dir)`)
    .addOption(new Option('--engine <engine>', "storage engine, instead of the config's").choices(SQL_ENGINES))
    .option('--url <url>', "PostgreSQL URL, or the SQLite file, instead of the config's")
    .action(async (flags: MigrateFlags) => {
      try {
        await migrateCommand(flags, load);
      } catch (err) {
        fail(err);
      }
    });

  db.command('copy')
    .description(
      'move an installation from SQLite to PostgreSQL: migrate the target, copy every table in one transaction, check row counts',
    )
    .option('-c, --config <file>', 'server config file: --from defaults to its data_dir, --to to its storage.url')
    .option('-d, --data <dir>', 'data directory (overrides data_dir)')
    .option('--from <file>', 'the SQLite database file (read only; the server may keep running)')
    .option('--to <url>', 'the PostgreSQL URL, e.g. postgres://volno@db.example/volno')
    .option('--force', 'replace the rows of a target that already has some')
    .action(async (flags: CopyFlags) => {
      try {
        const { from, to } = copyEnds(flags, load);
        const report = await copySqliteToPostgres({
          from,
          to,
          force: flags.force === true,
          log: (line) => console.log(line),
        });
        const rows = report.tables.reduce((n, t) => n + t.rows, 0);
        console.log(
          `copied ${report.tables.length} tables, ${rows} rows, schema version ${report.version}, to ${redactUrl(to)}`,
        );
      } catch (err) {
        fail(err);
      }
    });
}
