import { join } from 'node:path';
import { Type, type Static } from 'typebox';
import type { RefineIssue } from '../../../protocol/index.ts';
import { int, section } from '../config/parts.ts';
import { DB_FILE_NAME } from './database.ts';
import type { StorageTarget } from './sql/open.ts';
import { SQL_ENGINES } from './sql/port.ts';

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/** The `storage` section: which engine holds the server's data (docs/adr/0009). */
export const StorageConfigSchema = section(
  {
    engine: Type.Enum(SQL_ENGINES, {
      default: 'sqlite',
      title: 'Engine',
      description:
        'sqlite: one file in data_dir, for one server instance. postgres: a PostgreSQL database that several ' +
        'instances share (with mqtt.share_group); move an installation with `volno db copy`.',
    }),
    url: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2000,
        title: 'PostgreSQL URL',
        description:
          'postgres://user@host:port/database; required for postgres, refused for sqlite. Keep the password out of ' +
          'the file: `postgres://volno:${VOLNO_DB_PASSWORD}@db/volno` (percent-encoded), or leave it out and let ' +
          'PGPASSWORD or ~/.pgpass supply it.',
      }),
    ),
    pool_size: int(
      'Pool size',
      'PostgreSQL: connections each server instance holds at most. The database must allow instances × this.',
      10,
      1,
      1000,
    ),
  },
  'Storage',
  'Where the server keeps its data: SQLite (embedded, the default) or PostgreSQL (several instances).',
);
export type StorageConfig = Static<typeof StorageConfigSchema>;

/** What the schema cannot say: the URL an engine needs, and only for it. Never echoes the URL (it may hold a password). */
export function storageIssues(storage: StorageConfig): RefineIssue[] {
  const at = '/storage/url';
  if (storage.engine === 'sqlite')
    return storage.url === undefined
      ? []
      : [{ path: at, message: 'is only for engine postgres; SQLite keeps its file in data_dir' }];
  if (storage.url === undefined) return [{ path: at, message: 'is required when engine is postgres' }];
  if (!POSTGRES_URL.test(storage.url)) return [{ path: at, message: 'must start with postgres:// or postgresql://' }];
  if (!URL.canParse(storage.url)) return [{ path: at, message: 'is not a valid URL (percent-encode the password)' }];
  return [];
}

/** Where a validated config says the data lives, as `openSqlDatabase` takes it. */
export function storageTarget(config: { data_dir: string; storage: StorageConfig }): StorageTarget {
  const { storage } = config;
  if (storage.engine === 'sqlite') return { engine: 'sqlite', path: join(config.data_dir, DB_FILE_NAME) };
  return { engine: 'postgres', url: storage.url!, poolSize: storage.pool_size };
}

/** The target for a log line: engine, host and database, never the user's password. */
export function describeStorage(target: StorageTarget): Record<string, string> {
  if (target.engine === 'sqlite') return { engine: 'sqlite', file: target.path };
  const u = new URL(target.url);
  return {
    engine: 'postgres',
    host: u.port === '' ? u.hostname : `${u.hostname}:${u.port}`,
    database: u.pathname.slice(1),
  };
}
