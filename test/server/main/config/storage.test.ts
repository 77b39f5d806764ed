import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeStorage, storageTarget } from '../../../../server/core/storage/config.ts';
import { ServerError } from '../../../../server/core/errors.ts';
import { parseConfig } from '../../../../server/main/config/load.ts';

const parse = (storage: unknown, env: Record<string, string> = {}) =>
  parseConfig({ storage }, { baseDir: '/srv/volno', env });

const issuesOf = (storage: unknown, env: Record<string, string> = {}): string[] => {
  try {
    parse(storage, env);
  } catch (err) {
    if (err instanceof ServerError) return [...err.issues];
    throw err;
  }
  throw new Error('expected a config error');
};

describe('storage configuration', () => {
  it('defaults to SQLite in data_dir', () => {
    const c = parse(undefined);
    expect(c.storage).toEqual({ engine: 'sqlite', pool_size: 10 });
    expect(storageTarget(c)).toEqual({ engine: 'sqlite', path: join('/srv/volno/volno-data', 'volno.sqlite') });
  });

  it('takes PostgreSQL with the password from the environment, and logs it without the password', () => {
    const c = parse(
      { engine: 'postgres', url: 'postgres://volno:${DB_PW}@db.example:5433/volno', pool_size: 4 },
      { DB_PW: 'hunter2' },
    );
    const target = storageTarget(c);
    expect(target).toEqual({ engine: 'postgres', url: 'postgres://volno:hunter2@db.example:5433/volno', poolSize: 4 });
    const line = describeStorage(target);
    expect(line).toEqual({ engine: 'postgres', host: 'db.example:5433', database: 'volno' });
    expect(JSON.stringify(line)).not.toContain('hunter2');
  });

  it('refuses postgres without a URL, a URL of another scheme, and a URL on sqlite, without echoing the URL', () => {
    expect(issuesOf({ engine: 'postgres' })).toEqual(['/storage/url: is required when engine is postgres']);
    expect(issuesOf({ engine: 'postgres', url: 'mysql://root:pw@db/volno' })).toEqual([
      '/storage/url: must start with postgres:// or postgresql://',
    ]);
    expect(issuesOf({ url: 'postgres://db/volno' })).toEqual([
      '/storage/url: is only for engine postgres; SQLite keeps its file in data_dir',
    ]);
    expect(issuesOf({ engine: 'mysql' })).toEqual(['/storage/engine: must be one of "sqlite", "postgres"']);
  });

  it('names the missing variable once, not also the placeholder left in the URL', () => {
    expect(issuesOf({ engine: 'postgres', url: 'postgres://volno:${DB_PW}@db/volno' })).toEqual([
      '/storage/url: environment variable DB_PW is not set',
    ]);
  });
});
